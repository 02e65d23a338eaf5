using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Encimap.SmtpGateway.Tests;

/// <summary>A vaultbox made for one test, with what the tests ask of it.</summary>
public sealed record Vaultbox(SmtpFixture Fleet, Guid UserId, Guid Id, string Address, string Domain)
{
    private string? _keyPem;

    /// <summary>New SMTP submission credentials (user name, password).</summary>
    public async Task<(string UserName, string Password)> CreateSmtpCredentialsAsync()
    {
        using var http = Fleet.ApiClientFor(UserId);
        using var response = await http.PostAsync($"/s2s/v1/vaultboxes/{Id}/smtp-credentials", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var data = JsonDocument.Parse(body).RootElement.GetProperty("data");
        return (data.GetProperty("username").GetString()!, data.GetProperty("password").GetString()!);
    }

    /// <summary>Sets the vaultbox's DMARC enforcement through the API (null: the deployment's).</summary>
    public async Task SetDmarcEnforcementAsync(string? enforcement)
    {
        using var http = Fleet.ApiClientFor(UserId);
        using var response = await http.PatchAsJsonAsync($"/s2s/v1/vaultboxes/{Id}", new { dmarc_enforcement = enforcement });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
    }

    /// <summary>The stored (encrypted) messages of one folder, oldest first.</summary>
    public async Task<List<byte[]>> MessagesAsync(string mailbox = "INBOX")
    {
        await using var connection = new NpgsqlConnection(Fleet.EncimapAppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT message_bytes(m) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = $2 ORDER BY m.uid",
            connection);
        command.Parameters.AddWithValue(Id);
        command.Parameters.AddWithValue(mailbox);
        var messages = new List<byte[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            messages.Add(reader.GetFieldValue<byte[]>(0));
        }

        return messages;
    }

    /// <summary>Removes an empty folder, as the owner's IMAP DELETE does.</summary>
    public async Task DeleteMailboxAsync(string mailbox)
    {
        await using var connection = new NpgsqlConnection(Fleet.EncimapAppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("DELETE FROM mailboxes WHERE vaultbox_id = $1 AND name = $2", connection);
        command.Parameters.AddWithValue(Id);
        command.Parameters.AddWithValue(mailbox);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    /// <summary>Waits until the folder holds at least <paramref name="count"/> messages.</summary>
    public async Task<List<byte[]>> WaitForMessagesAsync(int count, string mailbox = "INBOX", TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var messages = await MessagesAsync(mailbox);
            if (messages.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.True(messages.Count >= count, $"{Address} {mailbox}: {messages.Count} of {count} messages");
                return messages;
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Decrypts a stored message with <c>openssl cms -decrypt</c> and the key of the vaultbox's PKCS#12 file.</summary>
    public async Task<byte[]> DecryptAsync(byte[] stored)
    {
        var key = await KeyPemAsync();
        var input = Path.Combine(Fleet.WorkDirectory, $"{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(input, stored);
        var result = await Tool.RunAsync("openssl", ["cms", "-decrypt", "-in", input, "-inkey", key, "-recip", key]);
        Assert.True(result.ExitCode == 0, $"openssl cms -decrypt failed: {result.Error}");
        return result.Output;
    }

    private async Task<string> KeyPemAsync()
    {
        if (_keyPem is not null)
        {
            return _keyPem;
        }

        using var http = Fleet.ApiClientFor(UserId);
        using var response = await http.PostAsJsonAsync("/s2s/v1/p12", new { vaultbox_id = Id, password = "p12-password" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var p12 = Path.Combine(Fleet.WorkDirectory, $"{Id:N}.p12");
        await File.WriteAllBytesAsync(p12, await response.Content.ReadAsByteArrayAsync());
        var pem = Path.Combine(Fleet.WorkDirectory, $"{Id:N}.pem");
        var result = await Tool.RunAsync("openssl", ["pkcs12", "-in", p12, "-passin", "pass:p12-password", "-nodes", "-out", pem]);
        Assert.True(result.ExitCode == 0, $"openssl pkcs12 failed: {result.Error}");
        return _keyPem = pem;
    }
}

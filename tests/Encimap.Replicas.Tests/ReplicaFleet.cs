using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Encimap.SmtpGateway.Tests;
using Encimap.Testing;

namespace Encimap.Replicas.Tests;

/// <summary>
/// The fleet with <see cref="ReplicaCount"/> replicas of smtp, intake, imap, api, certificates and
/// gateway. Submitted mail is relayed to a <see cref="CountingSmtpSink"/>; the MX's DNS look-ups go
/// to a closed port (an immediate temperror) and DMARC only monitors, so that mail from anywhere is
/// stored; certificate renewal passes run every second on each certificate service.
/// </summary>
public sealed class ReplicaFleet : EncimapFleet
{
    public const int ReplicaCount = 2;

    private readonly string _directory = Directory.CreateTempSubdirectory("encimap-replicas-").FullName;

    public ReplicaFleet()
    {
        // Twelve service processes, each behind its own `dotnet run`, start on a busy machine.
        StartTimeout = TimeSpan.FromMinutes(12);
        Configure("api", "Api__BcryptCost", "4");
        Configure("api", "Api__MailHost", "mail.test.example");
        Configure("certificates", "Certificates__KeyPoolSize", "4");
        Configure("certificates", "Certificates__RenewalFirstRunDelay", "00:00:01");
        Configure("certificates", "Certificates__RenewalInterval", "00:00:01");
        Configure("intake", "Intake__HostName", "mx.test.example");
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["Smtp__HostName"] = "mx.test.example",
            ["Smtp__Mx__MaxConnectionRatePerIp"] = "0",
            ["Smtp__Submission__MaxConnectionRatePerIp"] = "0",
            ["Smtp__Relay__Host"] = "127.0.0.1",
            ["Smtp__Relay__Port"] = Sink.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp__Relay__StartTls"] = "false",
            ["Smtp__Relay__DkimSign"] = "false",
            ["Smtp__Relay__RetryBaseDelay"] = "00:00:01",
            ["Smtp__Relay__RetryMaxDelay"] = "00:00:02",
            ["Smtp__Relay__PollInterval"] = "00:00:00.200",
            // These tests are about replicas, not SPF/DKIM/DMARC (tested in the SMTP gateway's tests):
            // without DNS each check would wait for its timeout.
            ["Smtp__Mx__Authentication__Enabled"] = "false",
        })
        {
            Configure("smtp", name, value);
        }
    }

    /// <summary>The smarthost both SMTP gateways relay to.</summary>
    public CountingSmtpSink Sink { get; } = new();

    public string WorkDirectory => _directory;

    protected override IEnumerable<string> Arguments() => [.. base.Arguments(), $"--AppHost:Replicas={ReplicaCount}"];

    /// <summary>A new user with a verified domain and a vaultbox on it, with IMAP credentials and its key (PEM).</summary>
    public async Task<ReplicaVaultbox> CreateVaultboxAsync(string alias)
    {
        var (userId, domain) = await AddUserWithDomainAsync();
        using var http = ApiClientFor(userId);
        using var created = await http.PostAsJsonAsync("/s2s/v1/vaultboxes", new { domain, alias, name = alias });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("vaultbox_id").GetGuid();

        using var imap = await http.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials", null);
        var imapData = JsonDocument.Parse(await imap.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        using var smtp = await http.PostAsync($"/s2s/v1/vaultboxes/{id}/smtp-credentials", null);
        var smtpData = JsonDocument.Parse(await smtp.Content.ReadAsStringAsync()).RootElement.GetProperty("data");

        using var p12 = await http.PostAsJsonAsync("/s2s/v1/p12", new { vaultbox_id = id, password = "p12-password" });
        Assert.True(p12.IsSuccessStatusCode, await p12.Content.ReadAsStringAsync());
        var p12Path = Path.Combine(_directory, $"{id:N}.p12");
        await File.WriteAllBytesAsync(p12Path, await p12.Content.ReadAsByteArrayAsync());
        var pem = Path.Combine(_directory, $"{id:N}.pem");
        var converted = await Tool.RunAsync("openssl", ["pkcs12", "-in", p12Path, "-passin", "pass:p12-password", "-nodes", "-out", pem]);
        Assert.True(converted.ExitCode == 0, converted.ToString());
        return new ReplicaVaultbox(
            id, $"{alias}@{domain}", pem,
            imapData.GetProperty("username").GetString()!, imapData.GetProperty("password").GetString()!,
            smtpData.GetProperty("username").GetString()!, smtpData.GetProperty("password").GetString()!);
    }

    /// <summary>The decrypted INBOX of a vaultbox (openssl cms -decrypt with its key), once it holds <paramref name="count"/> messages.</summary>
    public async Task<List<string>> DecryptedInboxAsync(ReplicaVaultbox vaultbox, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        List<byte[]> stored;
        while (true)
        {
            stored = await StoredAsync(vaultbox.Id);
            if (stored.Count >= count || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.True(stored.Count >= count, $"{vaultbox.Address}: {stored.Count} of {count} messages");
        var decrypted = new List<string>();
        foreach (var message in stored)
        {
            var input = Path.Combine(_directory, $"{Guid.NewGuid():N}.eml");
            await File.WriteAllBytesAsync(input, message);
            var result = await Tool.RunAsync("openssl", ["cms", "-decrypt", "-in", input, "-inkey", vaultbox.KeyPem, "-recip", vaultbox.KeyPem]);
            Assert.True(result.ExitCode == 0, result.ToString());
            decrypted.Add(result.Text);
        }

        return decrypted;
    }

    public override async Task InitializeAsync()
    {
        Sink.Start();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await Sink.DisposeAsync();
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<List<byte[]>> StoredAsync(Guid vaultboxId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(EncimapOwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT message_bytes(m) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'INBOX' ORDER BY m.uid",
            connection);
        command.Parameters.AddWithValue(vaultboxId);
        var messages = new List<byte[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            messages.Add(reader.GetFieldValue<byte[]>(0));
        }

        return messages;
    }
}

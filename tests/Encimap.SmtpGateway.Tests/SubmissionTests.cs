using System.Text;
using Encimap.Passwords;
using Npgsql;

namespace Encimap.SmtpGateway.Tests;

/// <summary>The submission port: STARTTLS, AUTH, sender rules, durable queue, relay, bounce, Sent copy.</summary>
[Collection(SmtpFleetCollection.Name)]
public sealed class SubmissionTests(SmtpFixture fleet)
{
    private string Port => fleet.SubmissionPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<string> WriteAsync(string from, string to, string subject)
    {
        var path = Path.Combine(fleet.WorkDirectory, $"{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(
            $"From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@submit.test>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\nbody of {subject}\r\n.dot line\r\n"));
        return path;
    }

    private Task<Tool.Result> SubmitAsync(string user, string password, string mechanism, string sender, string recipient, string file) =>
        Tool.PythonAsync(Scripts.Submit, Port, fleet.ServerCertificatePem, user, password, mechanism, sender, recipient, file);

    private async Task<List<(string Status, string[] Recipients, int Attempts, string? LastError)>> QueueAsync(string where, object value)
    {
        await using var connection = new NpgsqlConnection(fleet.EncimapAppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT status, recipients, attempts, last_error FROM outbound_messages WHERE {where} = $1 ORDER BY created_at", connection);
        command.Parameters.AddWithValue(value);
        var rows = new List<(string, string[], int, string?)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetFieldValue<string[]>(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return rows;
    }

    [Fact]
    public async Task VaultboxSubmitsWithPlainAndLoginAndTheMessagesAreQueued()
    {
        var box = await fleet.CreateVaultboxAsync("sender");
        var (user, password) = await box.CreateSmtpCredentialsAsync();
        foreach (var mechanism in new[] { "PLAIN", "LOGIN" })
        {
            var result = await SubmitAsync(user, password, mechanism, box.Address, "someone@elsewhere.example", await WriteAsync(box.Address, "someone@elsewhere.example", mechanism));
            Assert.True(result.ExitCode == 0 && result.Text.StartsWith("sent {}", StringComparison.Ordinal), result.ToString());
        }

        var rows = await QueueAsync("vaultbox_id", box.Id);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Equal(["someone@elsewhere.example"], row.Recipients));

        // Each queued message starts with this hop's trace field, named by the queue id (RFC 5321 §4.4).
        await using var connection = new NpgsqlConnection(fleet.EncimapAppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, content FROM outbound_messages WHERE vaultbox_id = $1", connection);
        command.Parameters.AddWithValue(box.Id);
        await using var reader = await command.ExecuteReaderAsync();
        var traced = 0;
        while (await reader.ReadAsync())
        {
            var content = Encoding.ASCII.GetString(reader.GetFieldValue<byte[]>(1));
            Assert.StartsWith("Received: from ", content);
            Assert.Contains($" with ESMTPSA id {reader.GetGuid(0):N};\r\n\t", content);
            Assert.Contains("\r\nFrom: <" + box.Address + ">\r\n", content);
            traced++;
        }

        Assert.Equal(2, traced);
    }

    [Fact]
    public async Task CurlAndSwaksSubmitThroughStartTls()
    {
        var box = await fleet.CreateVaultboxAsync("clients");
        var (user, password) = await box.CreateSmtpCredentialsAsync();
        var curl = await Tool.RunAsync("curl", ["-sS", "--url", $"smtp://127.0.0.1:{Port}", "--ssl-reqd", "--cacert", fleet.ServerCertificatePem, "--user", $"{user}:{password}", "--mail-from", box.Address, "--mail-rcpt", "someone@elsewhere.example", "--upload-file", await WriteAsync(box.Address, "someone@elsewhere.example", "curl")]);
        Assert.True(curl.ExitCode == 0, curl.ToString());

        var swaks = await Tool.RunAsync("swaks", ["--server", "127.0.0.1", "--port", Port, "--tls", "--auth", "LOGIN", "--auth-user", user, "--auth-password", password, "--from", box.Address, "--to", "someone@elsewhere.example", "--header", $"From: <{box.Address}>"]);
        Assert.True(swaks.ExitCode == 0, swaks.ToString());
        Assert.Equal(2, (await QueueAsync("vaultbox_id", box.Id)).Count);

        var wrong = await Tool.RunAsync("curl", ["-sS", "--url", $"smtp://127.0.0.1:{Port}", "--ssl-reqd", "--cacert", fleet.ServerCertificatePem, "--user", $"{user}:wrong-password", "--mail-from", box.Address, "--mail-rcpt", "someone@elsewhere.example", "--upload-file", await WriteAsync(box.Address, "someone@elsewhere.example", "wrong")]);
        Assert.Equal(67, wrong.ExitCode); // CURLE_LOGIN_DENIED
    }

    [Fact]
    public async Task AuthBeforeStartTlsIsRefused()
    {
        await using var smtp = await RawSmtp.ConnectAsync(fleet.SubmissionPort);
        await smtp.CommandAsync("EHLO client.test", "250");
        await smtp.CommandAsync("AUTH PLAIN " + Convert.ToBase64String("\0user\0password"u8), "530 5.7.0");
        await smtp.CommandAsync("MAIL FROM:<user@example.org>", "530 5.7.0");
    }

    [Fact]
    public async Task SpoofedSendersAreRefused()
    {
        var box = await fleet.CreateVaultboxAsync("honest");
        var (user, password) = await box.CreateSmtpCredentialsAsync();
        var spoofed = await SubmitAsync(user, password, "PLAIN", $"ceo@{box.Domain}", "someone@elsewhere.example", await WriteAsync($"ceo@{box.Domain}", "someone@elsewhere.example", "spoof"));
        Assert.Contains("sender refused 553 5.7.1", spoofed.Text);

        var header = await SubmitAsync(user, password, "PLAIN", box.Address, "someone@elsewhere.example", await WriteAsync("ceo@bank.example", "someone@elsewhere.example", "spoofed header"));
        Assert.Contains("data refused 550 5.7.1", header.Text);
        Assert.Empty(await QueueAsync("vaultbox_id", box.Id));
    }

    [Fact]
    public async Task MotorBlockSendsAtItsDomainWithinItsHourlyLimit()
    {
        var box = await fleet.CreateVaultboxAsync("owner");
        var motorBlockId = Guid.NewGuid();
        var userName = $"mb-{Guid.NewGuid():N}"[..16];
        const string password = "motor block password";
        const string domain = "motor.example";
        await using (var connection = new NpgsqlConnection(fleet.PlatformOwnerConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(
                "INSERT INTO motor_blocks (id, user_id, username, password_hash, rate_limit_per_hour, sending_domain) VALUES ($1, $2, $3, $4, 2, $5)", connection);
            insert.Parameters.AddWithValue(motorBlockId);
            insert.Parameters.AddWithValue(box.UserId);
            insert.Parameters.AddWithValue(userName);
            insert.Parameters.AddWithValue(new BcryptPasswordHasher(4).Hash(password));
            insert.Parameters.AddWithValue(domain);
            await insert.ExecuteNonQueryAsync();
        }

        var foreign = await SubmitAsync(userName, password, "PLAIN", "news@other.example", "someone@elsewhere.example", await WriteAsync("news@other.example", "someone@elsewhere.example", "foreign"));
        Assert.Contains("sender refused 553 5.7.1", foreign.Text);
        for (var i = 0; i < 2; i++)
        {
            var sender = $"news{i}@{domain}";
            var ok = await SubmitAsync(userName, password, "LOGIN", sender, "someone@elsewhere.example", await WriteAsync(sender, "someone@elsewhere.example", $"mb {i}"));
            Assert.True(ok.Text.StartsWith("sent {}", StringComparison.Ordinal), ok.ToString());
        }

        var limited = await SubmitAsync(userName, password, "PLAIN", $"news@{domain}", "someone@elsewhere.example", await WriteAsync($"news@{domain}", "someone@elsewhere.example", "third"));
        Assert.Contains("sender refused 450 4.7.1", limited.Text);
        Assert.Equal(2, (await QueueAsync("motor_block_id", motorBlockId)).Count);
    }

    /// <summary>
    /// The smarthost (a forwarder to the fleet's MX, in front of vaultbox B) is down at first, then comes
    /// back: the message arrives once, and A's Sent copy appears after the relay. A 5xx from the
    /// smarthost bounces at once; a smarthost down for good bounces at the maximum age. Bounces
    /// arrive encrypted in A's INBOX.
    /// </summary>
    [Fact]
    public async Task RelayRetriesStoresTheSentCopyAndBounces()
    {
        var a = await fleet.CreateVaultboxAsync("alice");
        var b = await fleet.CreateVaultboxAsync("bob");
        var (user, password) = await a.CreateSmtpCredentialsAsync();
        await fleet.StopSmarthostAsync();

        // 1. Smarthost down: queued, retried, nothing delivered, no Sent copy yet.
        var first = await SubmitAsync(user, password, "PLAIN", a.Address, b.Address, await WriteAsync(a.Address, b.Address, "first"));
        Assert.True(first.Text.StartsWith("sent {}", StringComparison.Ordinal), first.ToString());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await QueueAsync("vaultbox_id", a.Id))[0].Attempts < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        var queued = Assert.Single(await QueueAsync("vaultbox_id", a.Id));
        Assert.True(queued.Attempts >= 2, $"attempts {queued.Attempts}");
        Assert.Contains(queued.Status, new[] { "queued", "sending" });
        Assert.NotNull(queued.LastError);
        Assert.Empty(await b.MessagesAsync());
        Assert.Empty(await a.MessagesAsync("Sent"));

        // 2. The smarthost comes back: delivered exactly once, then the Sent copy.
        fleet.StartSmarthost();
        var delivered = Assert.Single(await b.WaitForMessagesAsync(1));
        Assert.Contains("Subject: first", Encoding.UTF8.GetString(await b.DecryptAsync(delivered)));
        var sent = Assert.Single(await a.WaitForMessagesAsync(1, "Sent"));
        Assert.Contains("Subject: first", Encoding.UTF8.GetString(await a.DecryptAsync(sent)));
        Assert.Equal("sent", Assert.Single(await QueueAsync("vaultbox_id", a.Id)).Status);

        // 3. The smarthost refuses a recipient (550 5.1.1): bounced at once into A's INBOX.
        var unknown = $"nobody@{b.Domain}";
        var refused = await SubmitAsync(user, password, "PLAIN", a.Address, unknown, await WriteAsync(a.Address, unknown, "refused"));
        Assert.True(refused.Text.StartsWith("sent {}", StringComparison.Ordinal), refused.ToString());
        var bounce = Encoding.UTF8.GetString(await a.DecryptAsync(Assert.Single(await a.WaitForMessagesAsync(1))));
        Assert.Contains("multipart/report; report-type=delivery-status", bounce);
        Assert.Contains($"Final-Recipient: rfc822; {unknown}", bounce);
        Assert.Contains("Status: 5.1.1", bounce);
        Assert.Contains("Subject: refused", bounce);
        Assert.Single(await a.MessagesAsync("Sent"));

        // 4. Down for good: bounced with 4.4.7 once the maximum age has passed; no Sent copy.
        await fleet.StopSmarthostAsync();
        var lost = await SubmitAsync(user, password, "LOGIN", a.Address, b.Address, await WriteAsync(a.Address, b.Address, "lost"));
        Assert.True(lost.Text.StartsWith("sent {}", StringComparison.Ordinal), lost.ToString());
        var inbox = await a.WaitForMessagesAsync(2, timeout: SmtpFixture.RelayMaxAge + TimeSpan.FromSeconds(30));
        var expired = Encoding.UTF8.GetString(await a.DecryptAsync(inbox[1]));
        Assert.Contains("Status: 4.4.7", expired);
        Assert.Contains("Subject: lost", expired);
        Assert.Single(await a.MessagesAsync("Sent"));
        Assert.Single(await b.MessagesAsync());
        var rows = await QueueAsync("vaultbox_id", a.Id);
        Assert.Equal(["sent", "failed", "failed"], rows.Select(r => r.Status));
    }
}

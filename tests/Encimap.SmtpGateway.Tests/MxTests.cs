using System.Text;

namespace Encimap.SmtpGateway.Tests;

/// <summary>Inbound mail on the MX port, from real clients, into vaultboxes (encrypted).</summary>
[Collection(SmtpFleetCollection.Name)]
public sealed class MxTests(SmtpFixture fleet)
{
    private string Port => fleet.MxPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<string> WriteAsync(byte[] content)
    {
        var path = Path.Combine(fleet.WorkDirectory, $"{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(path, content);
        return path;
    }

    private static byte[] Message(string to, string subject, string body) => Encoding.UTF8.GetBytes(
        $"From: Sender <sender@python.test>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@python.test>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n");

    [Fact]
    public async Task SmtplibMessageIsStoredEncryptedAndDecryptsToTheOriginalBehindItsAuthenticationResults()
    {
        var box = await fleet.CreateVaultboxAsync("inbound");
        var original = Message(box.Address, "Grüße aus Python", "Hällo wörld — 8-bit body\r\n.leading dot\r\n..two dots");
        var result = await Tool.PythonAsync(Scripts.SendToMx, Port, "jösé@python.test", box.Address, await WriteAsync(original), "utf8");
        Assert.True(result.ExitCode == 0, result.ToString());

        var stored = Assert.Single(await box.WaitForMessagesAsync(1));
        var text = Encoding.UTF8.GetString(stored);
        Assert.Contains("application/pkcs7-mime", text);
        Assert.DoesNotContain("Hällo wörld", text);
        MarkedMessage.AssertMarkedOriginal(original, await box.DecryptAsync(stored));
    }

    [Fact]
    public async Task TwentyMegabyteMessageArrivesWhole()
    {
        var box = await fleet.CreateVaultboxAsync("large");
        var body = new StringBuilder();
        var line = new string('x', 76);
        while (body.Length < 20 * 1024 * 1024)
        {
            body.Append(line).Append("\r\n");
        }

        var original = Message(box.Address, "twenty megabytes", body.ToString());
        var result = await Tool.PythonAsync(Scripts.SendToMx, Port, "sender@python.test", box.Address, await WriteAsync(original));
        Assert.True(result.ExitCode == 0, result.ToString());
        var stored = Assert.Single(await box.WaitForMessagesAsync(1, timeout: TimeSpan.FromMinutes(1)));
        MarkedMessage.AssertMarkedOriginal(original, await box.DecryptAsync(stored));

        // The gateway spooled it to a file in its spool directory, gone once the 250 was given.
        Assert.Empty(Directory.GetFiles(fleet.SpoolDirectory));
    }

    [Fact]
    public async Task CurlDeliversToTheMx()
    {
        var box = await fleet.CreateVaultboxAsync("curl");
        var original = Message(box.Address, "from curl", "sent with curl smtp://");
        var result = await Tool.RunAsync("curl", ["-sS", "--url", $"smtp://127.0.0.1:{Port}", "--mail-from", "sender@curl.test", "--mail-rcpt", box.Address, "--upload-file", await WriteAsync(original)]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var stored = Assert.Single(await box.WaitForMessagesAsync(1));
        MarkedMessage.AssertMarkedOriginal(original, await box.DecryptAsync(stored));
    }

    [Fact]
    public async Task SwaksDeliversAndUnknownRecipientsAreRefusedWith550()
    {
        var box = await fleet.CreateVaultboxAsync("swaks");
        var sent = await Tool.RunAsync("swaks", ["--server", "127.0.0.1", "--port", Port, "--from", "sender@swaks.test", "--to", box.Address, "--header", "Subject: from swaks", "--pipeline"]);
        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Contains("250 2.0.0", sent.Text);
        await box.WaitForMessagesAsync(1);

        var unknown = await Tool.RunAsync("swaks", ["--server", "127.0.0.1", "--port", Port, "--from", "sender@swaks.test", "--to", $"nobody@{box.Domain}"]);
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("550 5.1.1", unknown.Text);
    }

    [Fact]
    public async Task AnAddressAcceptedFromTheRecipientCacheIsRefusedAfterDataOnceItsVaultboxIsGone()
    {
        var box = await fleet.CreateVaultboxAsync("gone");
        await using (var first = await RawSmtp.ConnectAsync(fleet.MxPort))
        {
            await first.CommandAsync("EHLO sender.test", "250");
            await first.CommandAsync("MAIL FROM:<a@sender.test>", "250 2.1.0");
            await first.CommandAsync($"RCPT TO:<{box.Address}>", "250 2.1.5");
            await first.CommandAsync("QUIT", "221");
        }

        using (var api = fleet.ApiClientFor(box.UserId))
        using (var deleted = await api.DeleteAsync($"/s2s/v1/vaultboxes/{box.Id}"))
        {
            Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
        }

        // RCPT still passes (the address was found moments ago), but the delivery resolves the
        // recipient afresh: a permanent refusal after DATA.
        await using var smtp = await RawSmtp.ConnectAsync(fleet.MxPort);
        await smtp.CommandAsync("EHLO sender.test", "250");
        await smtp.CommandAsync("MAIL FROM:<a@sender.test>", "250 2.1.0");
        await smtp.CommandAsync($"RCPT TO:<{box.Address.ToUpperInvariant()}>", "250 2.1.5");
        await smtp.CommandAsync("DATA", "354");
        await smtp.SendAsync("Subject: too late\r\n\r\nhello\r\n.\r\n");
        await smtp.ExpectAsync("550 5.1.1");
    }

    [Fact]
    public async Task BareLineFeedSmugglingIsRefusedAndNothingIsStored()
    {
        var box = await fleet.CreateVaultboxAsync("smuggle");
        var victim = await fleet.CreateVaultboxAsync("victim");
        await using var smtp = await RawSmtp.ConnectAsync(fleet.MxPort);
        await smtp.CommandAsync("EHLO attacker.test", "250");
        await smtp.CommandAsync("MAIL FROM:<attacker@attacker.test>", "250 2.1.0");
        await smtp.CommandAsync($"RCPT TO:<{box.Address}>", "250 2.1.5");
        await smtp.CommandAsync("DATA", "354");
        await smtp.SendAsync($"Subject: first\r\n\r\nhello\r\n.\nMAIL FROM:<admin@{victim.Domain}>\r\nRCPT TO:<{victim.Address}>\r\nDATA\r\nFrom: admin@{victim.Domain}\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n");
        await smtp.ExpectAsync("521 5.5.2");
        Assert.True(await smtp.IsClosedAsync());
        await Task.Delay(500);
        Assert.Empty(await box.MessagesAsync());
        Assert.Empty(await victim.MessagesAsync());
    }

    [Fact]
    public async Task OversizeMessagesAreRefusedWith552()
    {
        var box = await fleet.CreateVaultboxAsync("oversize");
        await using var smtp = await RawSmtp.ConnectAsync(fleet.MxPort);
        await smtp.CommandAsync("EHLO big.test", "250");
        await smtp.CommandAsync($"MAIL FROM:<big@big.test> SIZE={SmtpFixture.MaxMessageSize + 1}", "552 5.3.4");
        await smtp.CommandAsync("MAIL FROM:<big@big.test>", "250");
        await smtp.CommandAsync($"RCPT TO:<{box.Address}>", "250");
        await smtp.CommandAsync("DATA", "354");
        var chunk = string.Concat(Enumerable.Repeat(new string('y', 998) + "\r\n", 1024));
        await smtp.SendAsync("Subject: too big\r\n\r\n");
        for (var sent = 0L; sent <= SmtpFixture.MaxMessageSize; sent += chunk.Length)
        {
            await smtp.SendAsync(chunk);
        }

        await smtp.SendAsync(".\r\n");
        await smtp.ExpectAsync("552 5.3.4");
        await smtp.CommandAsync("QUIT", "221");
        Assert.Empty(await box.MessagesAsync());
    }

    [Fact]
    public async Task MessagesOverThirtyMegabytesReachTheIntakeAndOnesOverItsLimitGet552()
    {
        var box = await fleet.CreateVaultboxAsync("intake-limit");

        // Just under the intake's limit, and above Kestrel's default request body limit.
        await SendOfSizeAsync(box.Address, SmtpFixture.IntakeMaxMessageBytes - 64 * 1024, "250 ");
        // Under the gateway's limit but over the intake's: its RESOURCE_EXHAUSTED is a permanent 552.
        await SendOfSizeAsync(box.Address, SmtpFixture.IntakeMaxMessageBytes + 512 * 1024, "552 5.3.4");

        Assert.Single(await box.WaitForMessagesAsync(1));
    }

    /// <summary>Sends a message of about <paramref name="size"/> bytes and expects the reply to DATA's end.</summary>
    private async Task SendOfSizeAsync(string to, int size, string expected)
    {
        await using var smtp = await RawSmtp.ConnectAsync(fleet.MxPort);
        await smtp.CommandAsync("EHLO big.test", "250");
        await smtp.CommandAsync("MAIL FROM:<big@big.test>", "250");
        await smtp.CommandAsync($"RCPT TO:<{to}>", "250");
        await smtp.CommandAsync("DATA", "354");
        var header = $"From: <big@big.test>\r\nTo: <{to}>\r\nSubject: {size} bytes\r\nMessage-ID: <{Guid.NewGuid():N}@big.test>\r\n\r\n";
        await smtp.SendAsync(header);
        var line = new string('z', 998) + "\r\n";
        var chunk = string.Concat(Enumerable.Repeat(line, 64));
        var sent = header.Length;
        for (; sent + chunk.Length <= size; sent += chunk.Length)
        {
            await smtp.SendAsync(chunk);
        }

        for (; sent + line.Length <= size; sent += line.Length)
        {
            await smtp.SendAsync(line);
        }

        await smtp.SendAsync(".\r\n");
        await smtp.ExpectAsync(expected);
        await smtp.CommandAsync("QUIT", "221");
    }

    [Fact]
    public async Task HealthReportsDatabaseAndIntake()
    {
        using var http = new HttpClient { BaseAddress = fleet.Http("smtp") };
        using var health = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/health"));
        var checks = health.RootElement.GetProperty("checks");
        // The database's check comes with Aspire.Npgsql (keyed data source "encimap").
        Assert.Equal("Healthy", checks.GetProperty("PostgreSql_encimap").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("intake").GetProperty("status").GetString());
    }
}

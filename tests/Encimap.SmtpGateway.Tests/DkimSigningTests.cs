using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Encimap.Testing;
using Npgsql;

namespace Encimap.SmtpGateway.Tests;

/// <summary>
/// Mail submitted by a vaultbox leaves the relay DKIM-signed by its domain: what arrives behind
/// the smarthost verifies with dkimpy (Debian's python3-dkim) against the TXT record the API
/// tells the platform to publish, and fails once its body is changed.
/// </summary>
[Collection(SmtpFleetCollection.Name)]
public sealed partial class DkimSigningTests(SmtpFixture fleet)
{
    [Fact]
    public async Task Relayed_mail_verifies_against_the_published_record_and_a_changed_body_fails()
    {
        fleet.StartSmarthost();
        var sender = await fleet.CreateVaultboxAsync("signer");
        var recipient = await fleet.CreateVaultboxAsync("reader");
        await SubmitAsync(sender, recipient);
        var received = await recipient.DecryptAsync(Assert.Single(await recipient.WaitForMessagesAsync(1)));
        var text = Encoding.ASCII.GetString(received);
        var (selector, dnsName, txt) = await PublishedRecordAsync(sender);

        var signature = SignatureField().Match(text);
        Assert.True(signature.Success, text);
        var tags = Unfolded(signature.Value);
        foreach (var tag in new[] { $"d={sender.Domain};", $"s={selector};", "c=relaxed/relaxed;", "a=rsa-sha256;",
            "h=from:from:reply-to:subject:date:to:cc:message-id:mime-version:content-type;" })
        {
            Assert.True(tags.Contains(tag, StringComparison.OrdinalIgnoreCase), $"{tag} not in {signature.Value}");
        }

        // Signed by the relay, in front of the submission's Received field: the bytes signed are the bytes sent.
        Assert.True(text.IndexOf("DKIM-Signature:", StringComparison.Ordinal) < text.IndexOf("by mx.test.example with ESMTPSA", StringComparison.Ordinal), text);

        var verdict = await DkimPy.VerifyAsync(received, dnsName, txt);
        Assert.True(verdict.Pass, verdict.Output + "\n" + text);

        var tampered = Encoding.ASCII.GetBytes(text.Replace("The attachment is the report.", "The attachment is the invoice.", StringComparison.Ordinal));
        Assert.NotEqual(received, tampered);
        verdict = await DkimPy.VerifyAsync(tampered, dnsName, txt);
        Assert.False(verdict.Pass, verdict.Output);

        // The recipient's owner cannot read the sender's record: another tenant's domain is absent.
        using var intruder = fleet.ApiClientFor(recipient.UserId);
        using var foreign = await intruder.GetAsync($"/s2s/v1/domains/{sender.Domain}/dkim");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    /// <summary>Unsigned mail could be rejected by the domain's DMARC policy: without a signature, the relay waits.</summary>
    [Fact]
    public async Task Without_the_certificate_service_the_relay_defers_instead_of_sending_unsigned()
    {
        fleet.StartSmarthost();
        var sender = await fleet.CreateVaultboxAsync("patient");
        var recipient = await fleet.CreateVaultboxAsync("waiter");
        await fleet.StopResourceAsync("certificates");
        try
        {
            await SubmitAsync(sender, recipient);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            (int Attempts, string? LastError) row;
            while ((row = await QueueRowAsync(sender)).Attempts < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }

            Assert.True(row.Attempts >= 2, $"attempts {row.Attempts}");
            Assert.Contains("DKIM signing unavailable", row.LastError ?? "");
            Assert.Empty(await recipient.MessagesAsync());
        }
        finally
        {
            await fleet.StartResourceAsync("certificates");
        }

        var received = await recipient.DecryptAsync(Assert.Single(await recipient.WaitForMessagesAsync(1)));
        var (_, dnsName, txt) = await PublishedRecordAsync(sender);
        var verdict = await DkimPy.VerifyAsync(received, dnsName, txt);
        Assert.True(verdict.Pass, verdict.Output);
    }

    private async Task SubmitAsync(Vaultbox sender, Vaultbox recipient)
    {
        var (user, password) = await sender.CreateSmtpCredentialsAsync();
        var file = Path.Combine(fleet.WorkDirectory, $"{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(file, Encoding.ASCII.GetBytes(Message(sender.Address, recipient.Address)));
        var submitted = await Tool.PythonAsync(Scripts.Submit, fleet.SubmissionPort.ToString(CultureInfo.InvariantCulture),
            fleet.ServerCertificatePem, user, password, "PLAIN", sender.Address, recipient.Address, file);
        Assert.True(submitted.Text.StartsWith("sent {}", StringComparison.Ordinal), submitted.ToString());
    }

    /// <summary>The record the platform publishes, as the API shows it to the sender's owner.</summary>
    private async Task<(string Selector, string DnsName, string Txt)> PublishedRecordAsync(Vaultbox sender)
    {
        using var http = fleet.ApiClientFor(sender.UserId);
        using var response = await http.GetAsync($"/s2s/v1/domains/{sender.Domain}/dkim");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var data = JsonDocument.Parse(body).RootElement.GetProperty("data");
        var dns = data.GetProperty("dns");
        return (data.GetProperty("selector").GetString()!, dns.GetProperty("name").GetString()!, dns.GetProperty("value").GetString()!);
    }

    private async Task<(int Attempts, string? LastError)> QueueRowAsync(Vaultbox sender)
    {
        await using var connection = new NpgsqlConnection(fleet.EncimapAppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT attempts, last_error FROM outbound_messages WHERE vaultbox_id = $1", connection);
        command.Parameters.AddWithValue(sender.Id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    private static string Message(string from, string to) =>
        $"From: Signer <{from}>\r\n" +
        $"To: <{to}>\r\n" +
        "Cc: <copy@elsewhere.example>\r\n" +
        $"Reply-To: <{from}>\r\n" +
        "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= with a\r\n  folded subject line\r\n" +
        "Date: Fri, 4 Dec 2026 10:00:00 +0000\r\n" +
        $"Message-ID: <{Guid.NewGuid():N}@submit.test>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n" +
        "\r\n" +
        "This is a multi-part message.\r\n" +
        "--b1\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: quoted-printable\r\n" +
        "\r\n" +
        "Hello,  trailing spaces   \r\n" +
        "The attachment is the report.\r\n" +
        ".a line that starts with a dot\r\n" +
        "--b1\r\n" +
        "Content-Type: application/octet-stream; name=\"report.bin\"\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "Content-Disposition: attachment; filename=\"report.bin\"\r\n" +
        "\r\n" +
        Convert.ToBase64String(Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray(), Base64FormattingOptions.InsertLineBreaks) + "\r\n" +
        "--b1--\r\n";

    private static string Unfolded(string field) => Regex.Replace(field, @"\s+", "");

    [GeneratedRegex(@"^DKIM-Signature:[^\r\n]*(?:\r\n[ \t][^\r\n]*)*", RegexOptions.Multiline)]
    private static partial Regex SignatureField();
}

using System.Text;

namespace Encimap.Imap.Tests;

/// <summary>curl's IMAP client: STARTTLS on the cleartext port and implicit TLS.</summary>
[Collection(ImapFleetCollection.Name)]
public sealed class CurlTests(ImapFixture fleet)
{
    [Fact]
    public async Task Curl_lists_searches_and_fetches_over_starttls_and_tls()
    {
        var account = await fleet.CreateAccountAsync("curl");
        var original = "From: Eve <eve@example.com>\r\nTo: x@example.com\r\nSubject: for curl\r\nMessage-ID: <curl@example.com>\r\n\r\nHello curl.\r\n";
        await fleet.DeliverAsync(account, original);
        var user = $"{account.Username}:{account.Password}";

        var list = await Tools.RunAsync("curl", ["-sS", "--insecure", "--ssl-reqd", "-u", user, $"imap://127.0.0.1:{fleet.ImapPort}/"]);
        Assert.Contains("\\Sent) \"/\" Sent", list.Output);
        Assert.Contains("\"/\" INBOX", list.Output);

        var search = await Tools.RunAsync("curl", ["-sS", "--insecure", "-u", user, $"imaps://127.0.0.1:{fleet.ImapsPort}/INBOX?SUBJECT%20curl"]);
        Assert.Equal("* SEARCH 1", search.Output.Trim());

        var fetched = await Tools.RunAsync("curl", ["-sS", "--insecure", "-u", user, "-o", Path.Combine(fleet.WorkDirectory, "curl.eml"), $"imaps://127.0.0.1:{fleet.ImapsPort}/INBOX/;UID=1"]);
        var bytes = await File.ReadAllBytesAsync(Path.Combine(fleet.WorkDirectory, "curl.eml"));
        Assert.Contains("application/pkcs7-mime", Encoding.ASCII.GetString(bytes), StringComparison.OrdinalIgnoreCase);
        Decrypted.AssertDecryptsTo(original, await fleet.DecryptAsync(account, bytes));

        var section = await Tools.RunAsync("curl", ["-sS", "--insecure", "-u", user, $"imaps://127.0.0.1:{fleet.ImapsPort}/INBOX/;UID=1/;SECTION=HEADER.FIELDS%20(SUBJECT)"]);
        Assert.Equal("Subject: for curl", section.Output.Trim());

        var examine = await Tools.RunAsync("curl", ["-sS", "--insecure", "-u", user, "-X", "EXAMINE INBOX", $"imaps://127.0.0.1:{fleet.ImapsPort}/"]);
        Assert.Contains("* 1 EXISTS", examine.Output);

        // Without TLS the cleartext port refuses to authenticate.
        var cleartext = await Tools.RunAsync("curl", ["-sS", "-u", user, $"imap://127.0.0.1:{fleet.ImapPort}/"], check: false);
        Assert.NotEqual(0, cleartext.ExitCode);

        var wrong = await Tools.RunAsync("curl", ["-sS", "--insecure", "-u", $"{account.Username}:wrong", $"imaps://127.0.0.1:{fleet.ImapsPort}/"], check: false);
        Assert.Equal(67, wrong.ExitCode); // CURLE_LOGIN_DENIED
    }
}

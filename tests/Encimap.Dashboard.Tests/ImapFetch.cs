namespace Encimap.Dashboard.Tests;

/// <summary>
/// Logs in over IMAPS with Python's <c>imaplib</c>, selects INBOX and fetches every message's
/// flags and size: the commands whose spans the dashboard then shows.
/// </summary>
internal static class ImapFetch
{
    public static async Task<int> FetchAllAsync(int imapsPort, string username, string password)
    {
        const string script = """
            import imaplib, ssl, sys
            port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            with imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=context, timeout=60) as imap:
                imap.login(user, password)
                status, data = imap.select("INBOX")
                status, fetched = imap.fetch("1:*", "(FLAGS RFC822.SIZE)")
                print(sum(1 for item in fetched if item))
            """;
        return int.Parse(await PythonScript.RunAsync(script, imapsPort.ToString(), username, password));
    }
}

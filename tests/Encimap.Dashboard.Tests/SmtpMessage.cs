namespace Encimap.Dashboard.Tests;

/// <summary>
/// Sends one message to the fleet's MX port with Python's <c>smtplib</c> — a client nobody here
/// wrote — and asserts the 250 that means the encrypted message is stored.
/// </summary>
internal static class SmtpMessage
{
    public static async Task SendAsync(Uri mx, string recipient)
    {
        const string script = """
            import smtplib, sys
            host, port, rcpt = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            body = ("From: Sender <sender@example.org>\r\nTo: " + rcpt + "\r\nSubject: traced\r\n"
                    "Message-ID: <trace-test@example.org>\r\n\r\nOne message, one trace.\r\n")
            with smtplib.SMTP(host, port, timeout=60) as smtp:
                refused = smtp.sendmail("sender@example.org", [rcpt], body)
                print("refused" if refused else "stored")
            """;
        Assert.Equal("stored", await PythonScript.RunAsync(script, mx.Host, mx.Port.ToString(), recipient));
    }
}

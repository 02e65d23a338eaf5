
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
        var start = new System.Diagnostics.ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-c", script, mx.Host, mx.Port.ToString(), recipient })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0 && output.Trim() == "stored", $"smtplib: {output} {error}");
    }
}

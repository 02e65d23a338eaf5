using System.Globalization;
using System.Text;

namespace Encimap.SmtpGateway.Relay;

/// <summary>
/// Builds a bounce: a delivery status notification (RFC 3464) in a multipart/report (RFC 6522)
/// with a human-readable part, the machine-readable message/delivery-status part and the
/// original message's header (text/rfc822-headers).
/// </summary>
public static class DeliveryStatusNotification
{
    public static byte[] Build(string reportingHost, OutboundMessage message, IReadOnlyList<RecipientFailure> failures, DateTimeOffset now)
    {
        var boundary = $"=_dsn_{message.Id:N}";
        var date = now.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var arrival = new DateTimeOffset(DateTime.SpecifyKind(message.CreatedAt, DateTimeKind.Utc)).ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"From: Mail Delivery System <MAILER-DAEMON@{reportingHost}>\r\n");
        text.Append(CultureInfo.InvariantCulture, $"To: <{message.EnvelopeFrom}>\r\n");
        text.Append("Subject: Undelivered Mail Returned to Sender\r\n");
        text.Append(CultureInfo.InvariantCulture, $"Date: {date}\r\n");
        text.Append(CultureInfo.InvariantCulture, $"Message-ID: <dsn.{message.Id:N}@{reportingHost}>\r\n");
        text.Append("Auto-Submitted: auto-replied\r\n");
        text.Append("MIME-Version: 1.0\r\n");
        text.Append(CultureInfo.InvariantCulture, $"Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{boundary}\"\r\n");
        text.Append("\r\n");
        text.Append("This is a MIME-encapsulated message.\r\n\r\n");

        text.Append(CultureInfo.InvariantCulture, $"--{boundary}\r\n");
        text.Append("Content-Description: Notification\r\n");
        text.Append("Content-Type: text/plain; charset=utf-8\r\n");
        text.Append("Content-Transfer-Encoding: 8bit\r\n\r\n");
        text.Append(CultureInfo.InvariantCulture, $"This is the mail system at host {reportingHost}.\r\n\r\n");
        text.Append("I'm sorry to have to inform you that your message could not\r\n");
        text.Append("be delivered to one or more recipients. It's attached below.\r\n\r\n");
        foreach (var failure in failures)
        {
            text.Append(CultureInfo.InvariantCulture, $"<{failure.Recipient}>: {failure.Diagnostic}\r\n");
        }

        text.Append("\r\n");
        text.Append(CultureInfo.InvariantCulture, $"--{boundary}\r\n");
        text.Append("Content-Description: Delivery report\r\n");
        text.Append("Content-Type: message/delivery-status\r\n\r\n");
        text.Append(CultureInfo.InvariantCulture, $"Reporting-MTA: dns; {reportingHost}\r\n");
        text.Append(CultureInfo.InvariantCulture, $"Arrival-Date: {arrival}\r\n");
        foreach (var failure in failures)
        {
            text.Append("\r\n");
            text.Append(CultureInfo.InvariantCulture, $"Final-Recipient: rfc822; {failure.Recipient}\r\n");
            text.Append("Action: failed\r\n");
            text.Append(CultureInfo.InvariantCulture, $"Status: {failure.Status}\r\n");
            if (failure.RemoteMta is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"Remote-MTA: dns; {failure.RemoteMta}\r\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"Diagnostic-Code: smtp; {OneLine(failure.Diagnostic)}\r\n");
            text.Append(CultureInfo.InvariantCulture, $"Last-Attempt-Date: {date}\r\n");
        }

        text.Append("\r\n");
        text.Append(CultureInfo.InvariantCulture, $"--{boundary}\r\n");
        text.Append("Content-Description: Undelivered Message Headers\r\n");
        text.Append("Content-Type: text/rfc822-headers\r\n");
        text.Append("Content-Transfer-Encoding: 8bit\r\n\r\n");

        var bytes = new List<byte>(Encoding.UTF8.GetBytes(text.ToString()));
        bytes.AddRange(HeaderBlock(message.Content));
        bytes.AddRange(Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"));
        return [.. bytes];
    }

    /// <summary>The original header, without the blank line that ends it, ending in CRLF.</summary>
    private static byte[] HeaderBlock(byte[] content)
    {
        var end = content.AsSpan().IndexOf("\r\n\r\n"u8);
        var header = end < 0 ? content : content[..(end + 2)];
        return header.Length > 0 && header[^1] == (byte)'\n' ? header : [.. header, (byte)'\r', (byte)'\n'];
    }

    private static string OneLine(string text) => text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}

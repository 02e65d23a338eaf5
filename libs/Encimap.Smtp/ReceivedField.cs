using System.Globalization;
using System.Net;
using System.Text;

namespace Encimap.Smtp;

/// <summary>
/// The trace field this hop adds (RFC 5321 §4.4):
/// <c>Received: from helo (ip) by host with PROTO id ID; date</c>, folded onto three lines.
/// Every part that came from the client is reduced to characters that cannot break the header.
/// </summary>
public static class ReceivedField
{
    private const int MaxTokenLength = 255;

    /// <summary>Builds the field (without the final line break).</summary>
    public static string Format(string? helo, string? clientAddress, string host, string? protocol, string id, DateTimeOffset date)
    {
        var address = IPAddress.TryParse(clientAddress?.Trim() ?? "", out var ip) ? ip.ToString() : null;
        var from = SafeToken(helo);
        if (from.Length == 0)
        {
            from = address is null ? "unknown" : $"[{address}]";
        }

        var text = new StringBuilder("Received: from ").Append(from);
        if (address is not null)
        {
            text.Append(" (").Append(address).Append(')');
        }

        text.Append("\r\n\tby ").Append(SafeToken(host) is { Length: > 0 } by ? by : "localhost")
            .Append(" with ").Append(Protocol(protocol))
            .Append(" id ").Append(SafeToken(id))
            .Append(";\r\n\t").Append(FormatDate(date));
        return text.ToString();
    }

    /// <summary>An RFC 5322 date-time in UTC: <c>Tue, 1 Dec 2026 10:00:00 +0000</c>.</summary>
    public static string FormatDate(DateTimeOffset date) =>
        date.UtcDateTime.ToString("ddd, d MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " +0000";

    /// <summary>The "with" protocol: a registered-looking atom (ESMTP, ESMTPS, LMTP, HTTP…); ESMTP when absent or odd.</summary>
    public static string Protocol(string? protocol)
    {
        var value = protocol?.Trim() ?? "";
        return value.Length is > 0 and <= 16 && value.All(char.IsAsciiLetterOrDigit) ? value.ToUpperInvariant() : "ESMTP";
    }

    // Domain names, address literals and ids: letters, digits and . - _ : [ ]; nothing else survives.
    private static string SafeToken(string? value)
    {
        var kept = new StringBuilder();
        foreach (var c in value ?? "")
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':' or '[' or ']')
            {
                kept.Append(c);
                if (kept.Length == MaxTokenLength)
                {
                    break;
                }
            }
        }

        return kept.ToString();
    }
}

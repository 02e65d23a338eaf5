using System.Text;

namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// The Authentication-Results header field (RFC 8601): builds ours, and removes incoming ones
/// that claim our authserv-id (§5), so that a sender cannot hand the owner a forged verdict.
/// </summary>
public static class AuthenticationResultsField
{
    public const string Name = "Authentication-Results";

    /// <summary>
    /// <c>Authentication-Results: id; spf=… smtp.mailfrom=…; dkim=… header.d=… header.s=…; dmarc=… header.from=…</c>,
    /// folded one result per line, ending in CRLF. Values that came from the message or the
    /// client are reduced to characters that cannot break the field.
    /// </summary>
    public static string Format(string authServId, AuthenticationReport report)
    {
        var text = new StringBuilder(Name).Append(": ").Append(Safe(authServId));
        var spfProperty = report.SpfUsedHelo ? "smtp.helo" : "smtp.mailfrom";
        text.Append(";\r\n\tspf=").Append(report.Spf.Name());
        if (report.SpfIdentity.Length > 0)
        {
            text.Append(' ').Append(spfProperty).Append('=').Append(Safe(report.SpfIdentity));
        }

        if (report.Dkim.Count == 0)
        {
            text.Append(";\r\n\tdkim=none");
        }

        foreach (var dkim in report.Dkim)
        {
            text.Append(";\r\n\tdkim=").Append(dkim.Result.Name());
            if (dkim.Domain.Length > 0)
            {
                text.Append(" header.d=").Append(Safe(dkim.Domain));
            }

            if (dkim.Selector.Length > 0)
            {
                text.Append(" header.s=").Append(Safe(dkim.Selector));
            }
        }

        text.Append(";\r\n\tdmarc=").Append(report.Dmarc.Result.Name());
        if (report.Dmarc.Published is { } published)
        {
            text.Append(" (p=").Append(published.ToString().ToLowerInvariant()).Append(')');
        }

        if (report.FromDomain.Length > 0)
        {
            text.Append(" header.from=").Append(Safe(report.FromDomain));
        }

        return text.Append("\r\n").ToString();
    }

    /// <summary>
    /// The message without the Authentication-Results fields whose authserv-id is
    /// <paramref name="authServId"/> (compared case-insensitively); every other byte unchanged.
    /// Returns the input itself when there is none.
    /// </summary>
    public static ReadOnlyMemory<byte> RemoveClaiming(ReadOnlyMemory<byte> message, string authServId)
    {
        var span = message.Span;
        var kept = new List<(int Start, int End)>();
        var removed = false;
        var position = 0;
        while (position < span.Length)
        {
            var end = FieldEnd(span, position);
            if (end == position)
            {
                break; // the empty line that ends the header section, or a line that is not a field
            }

            if (IsClaiming(span[position..end], authServId))
            {
                removed = true;
            }
            else
            {
                kept.Add((position, end));
            }

            position = end;
        }

        if (!removed)
        {
            return message;
        }

        var output = new byte[kept.Sum(k => k.End - k.Start) + span.Length - position];
        var offset = 0;
        foreach (var (start, end) in kept)
        {
            span[start..end].CopyTo(output.AsSpan(offset));
            offset += end - start;
        }

        span[position..].CopyTo(output.AsSpan(offset));
        return output;
    }

    /// <summary>The end of the field that starts at <paramref name="start"/> (after its last CRLF, continuation lines included).</summary>
    private static int FieldEnd(ReadOnlySpan<byte> span, int start)
    {
        if (span[start..].StartsWith("\r\n"u8) || span[start] is (byte)' ' or (byte)'\t')
        {
            return start;
        }

        var position = start;
        while (true)
        {
            var lineEnd = span[position..].IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                return span.Length;
            }

            position += lineEnd + 2;
            if (position >= span.Length || span[position] is not ((byte)' ' or (byte)'\t'))
            {
                return position;
            }
        }
    }

    private static bool IsClaiming(ReadOnlySpan<byte> field, string authServId)
    {
        var colon = field.IndexOf((byte)':');
        if (colon < 0 || !Encoding.ASCII.GetString(field[..colon]).Trim().Equals(Name, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var value = Encoding.Latin1.GetString(field[(colon + 1)..]);
        return AuthServId(value).Equals(authServId, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The first token of the value, after whitespace and (nested) comments (§2.2).</summary>
    private static string AuthServId(string value)
    {
        var i = 0;
        var depth = 0;
        while (i < value.Length && (char.IsWhiteSpace(value[i]) || value[i] == '(' || depth > 0))
        {
            depth += value[i] == '(' ? 1 : value[i] == ')' && depth > 0 ? -1 : 0;
            i++;
        }

        var start = i;
        while (i < value.Length && value[i] != ';' && value[i] != '(' && !char.IsWhiteSpace(value[i]))
        {
            i++;
        }

        return value[start..i];
    }

    // Domain names, selectors and addresses: letters, digits and . - _ @ +; nothing else survives.
    private static string Safe(string value)
    {
        var kept = new StringBuilder();
        foreach (var c in value)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@' or '+')
            {
                kept.Append(c);
                if (kept.Length == 255)
                {
                    break;
                }
            }
        }

        return kept.Length == 0 ? "unknown" : kept.ToString();
    }
}

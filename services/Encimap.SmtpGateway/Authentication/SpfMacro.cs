using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// SPF macro expansion (RFC 7208 §7) of a domain-spec: %{s l o d i p h v} with digit and "r"
/// transformers and delimiters, %% %_ %-; upper-case letters are URL-escaped. "p" expands to
/// "unknown" (§7.3 allows it: validating the client's PTR name costs look-ups for little).
/// </summary>
public static class SpfMacro
{
    /// <summary>The expansion, or null when the macro string is malformed (a permerror).</summary>
    public static string? Expand(string text, SpfRequest request, string domain)
    {
        var output = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '%')
            {
                output.Append(c);
                continue;
            }

            if (++i >= text.Length)
            {
                return null;
            }

            switch (text[i])
            {
                case '%': output.Append('%'); break;
                case '_': output.Append(' '); break;
                case '-': output.Append("%20"); break;
                case '{':
                    var end = text.IndexOf('}', i);
                    if (end < 0 || Macro(text[(i + 1)..end], request, domain) is not { } value)
                    {
                        return null;
                    }

                    output.Append(value);
                    i = end;
                    break;
                default: return null;
            }
        }

        return output.ToString();
    }

    private static string? Macro(string body, SpfRequest request, string domain)
    {
        if (body.Length == 0)
        {
            return null;
        }

        var letter = body[0];
        var value = char.ToLowerInvariant(letter) switch
        {
            's' => request.Sender,
            'l' => LocalPart(request.Sender),
            'o' => request.Sender[(request.Sender.LastIndexOf('@') + 1)..],
            'd' => domain,
            'i' => Dotted(request.ClientAddress),
            'p' => "unknown",
            'h' => request.Helo,
            'v' => request.ClientAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "in-addr",
            _ => null,
        };
        if (value is null)
        {
            return null;
        }

        var rest = body[1..];
        var digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
        {
            digits++;
        }

        var keep = digits > 0 && int.TryParse(rest[..digits], out var n) ? n : int.MaxValue;
        if (keep == 0)
        {
            return null;
        }

        rest = rest[digits..];
        var reverse = rest.StartsWith('r') || rest.StartsWith('R');
        var delimiters = (reverse ? rest[1..] : rest).ToCharArray();
        if (delimiters.Any(d => ".-+,/_=".IndexOf(d) < 0))
        {
            return null;
        }

        var parts = value.Split(delimiters.Length == 0 ? ['.'] : delimiters);
        if (reverse)
        {
            Array.Reverse(parts);
        }

        var joined = string.Join('.', parts.Skip(Math.Max(0, parts.Length - keep)));
        return char.IsUpper(letter) ? Uri.EscapeDataString(joined) : joined;
    }

    private static string LocalPart(string sender)
    {
        var at = sender.LastIndexOf('@');
        return at <= 0 ? "postmaster" : sender[..at];
    }

    // IPv4 as it is written; IPv6 as dot-separated nibbles (§7.3).
    private static string Dotted(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var nibbles = address.GetAddressBytes().SelectMany(b => new[] { "0123456789abcdef"[b >> 4], "0123456789abcdef"[b & 0xF] });
        return string.Join('.', nibbles);
    }
}

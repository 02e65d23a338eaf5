using Encimap.Mime;
using Encimap.Smtp;
using MimeKit;

namespace Encimap.Intake.Encryption;

/// <summary>
/// The original message's header section, parsed without reading the body: all that the outer
/// header, the stored metadata columns and the already-encrypted check need (RFC 5322 §2.1: the
/// header ends at the first empty line). The first 64 KiB hold the header of nearly all mail;
/// a longer header is read in doubling prefixes until its end (bounded by the message's size).
/// </summary>
public static class OriginalHeader
{
    private const int FirstPrefix = 64 * 1024;

    /// <summary>The header fields, parsed by MimeKit; empty when the message does not start with a header.</summary>
    public static HeaderList Read(MessageSpool raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        for (long size = FirstPrefix; ; size *= 2)
        {
            var prefix = raw.ReadPrefix((int)Math.Min(size, raw.Length));
            if (HeaderEnd(prefix) is { } end)
            {
                return MessageReader.ReadHeaders(prefix.AsMemory(0, end));
            }

            if (prefix.Length == raw.Length)
            {
                return MessageReader.ReadHeaders(prefix); // a message without a body
            }
        }
    }

    /// <summary>
    /// Whether the header labels the message as S/MIME (application/pkcs7-mime or
    /// application/x-pkcs7-mime): only then may it be stored as it came, and the whole message decides.
    /// </summary>
    public static bool MayBeEncrypted(HeaderList header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return RawHeader.Value(header, "Content-Type") is { } value
            && ContentType.TryParse(MessageReader.Options, value, out var type)
            && (type.IsMimeType("application", "pkcs7-mime") || type.IsMimeType("application", "x-pkcs7-mime"));
    }

    /// <summary>Octets of the header section in <paramref name="prefix"/>, its empty line included; null if it does not end there.</summary>
    internal static int? HeaderEnd(ReadOnlySpan<byte> prefix)
    {
        if (prefix.StartsWith("\r\n"u8))
        {
            return 2;
        }

        if (prefix.StartsWith("\n"u8))
        {
            return 1;
        }

        for (var i = prefix.IndexOf((byte)'\n'); i >= 0 && i + 1 < prefix.Length; )
        {
            // An LF followed by an empty line (CRLF or a bare LF).
            if (prefix[i + 1] == '\n')
            {
                return i + 2;
            }

            if (prefix[i + 1] == '\r' && i + 2 < prefix.Length && prefix[i + 2] == '\n')
            {
                return i + 3;
            }

            var next = prefix[(i + 1)..].IndexOf((byte)'\n');
            i = next < 0 ? -1 : i + 1 + next;
        }

        return null;
    }
}

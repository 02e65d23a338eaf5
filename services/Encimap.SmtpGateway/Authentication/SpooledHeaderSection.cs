using Encimap.Smtp;

namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// The header section of a spooled message (RFC 5322 §2.1: fields up to the first empty line),
/// read without reading the body: the part of the message the MX rewrites before the intake.
/// </summary>
public static class SpooledHeaderSection
{
    /// <summary>
    /// Most octets of header section read. A longer one (no legitimate message has one) is cut at
    /// the last field boundary before the limit and the rest passes through untouched, as Postfix
    /// does past its header_size_limit: memory stays bounded whatever a sender sends.
    /// </summary>
    public const int MaxLength = 1024 * 1024;

    private const int FirstRead = 64 * 1024;

    /// <summary>The header section's octets, the empty line that ends it included when it was found.</summary>
    public static byte[] Read(MessageSpool message)
    {
        var count = (int)Math.Min(FirstRead, message.Length);
        while (true)
        {
            var prefix = message.ReadPrefix(count);
            if (prefix.AsSpan().StartsWith("\r\n"u8))
            {
                return [];
            }

            var end = prefix.AsSpan().IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return prefix[..(end + 4)];
            }

            if (prefix.Length == message.Length)
            {
                return prefix;
            }

            if (count >= MaxLength)
            {
                return prefix[..LastFieldBoundary(prefix)];
            }

            count = (int)Math.Min(Math.Min(count * 4L, MaxLength), message.Length);
        }
    }

    /// <summary>The position after the last CRLF that is followed by the start of a new field (not a continuation).</summary>
    private static int LastFieldBoundary(ReadOnlySpan<byte> prefix)
    {
        var end = prefix.Length - 1;
        while (end > 0)
        {
            var crlf = prefix[..end].LastIndexOf("\r\n"u8);
            if (crlf < 0)
            {
                return 0;
            }

            if (crlf + 2 < prefix.Length && prefix[crlf + 2] is not ((byte)' ' or (byte)'\t'))
            {
                return crlf + 2;
            }

            end = crlf + 1;
        }

        return 0;
    }
}

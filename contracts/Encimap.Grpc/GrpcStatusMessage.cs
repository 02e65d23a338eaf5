using System.Buffers;
using System.Text;

namespace Encimap.Grpc;

/// <summary>
/// <c>grpc-message</c> is UTF-8 text percent-encoded so that it fits in an HTTP/2 header: every
/// byte outside printable ASCII (0x20–0x7E), and '%' itself, becomes %XX.
/// </summary>
internal static class GrpcStatusMessage
{
    public static string Encode(string message)
    {
        if (!NeedsEncoding(message))
        {
            return message;
        }

        var utf8 = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(utf8.Length * 3);
        foreach (var b in utf8)
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Decodes %XX sequences; a malformed sequence is kept as it is rather than failing, since the
    /// message is only informative (the spec asks receivers to be lenient).
    /// </summary>
    public static string Decode(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded) || !encoded.Contains('%'))
        {
            return encoded ?? string.Empty;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(encoded.Length);
        try
        {
            var length = 0;
            for (var i = 0; i < encoded.Length; i++)
            {
                if (encoded[i] == '%' && i + 2 < encoded.Length
                    && TryHexValue(encoded[i + 1], out var high) && TryHexValue(encoded[i + 2], out var low))
                {
                    bytes[length++] = (byte)((high << 4) | low);
                    i += 2;
                }
                else
                {
                    // Header values are ASCII; anything else is kept as its low byte.
                    bytes[length++] = (byte)encoded[i];
                }
            }

            return Encoding.UTF8.GetString(bytes, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static bool NeedsEncoding(string message)
    {
        foreach (var c in message)
        {
            if (c is < ' ' or > '~' or '%')
            {
                return true;
            }
        }

        return false;
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static bool TryHexValue(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}

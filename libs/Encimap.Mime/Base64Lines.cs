using System.Buffers.Text;

namespace Encimap.Mime;

/// <summary>
/// A MIME base64 body (RFC 2045 §6.8) as Encimap writes it: 76-character lines, each one, the
/// last included, ended by CRLF. The IMAP server renders a stored message's body this way from
/// the DER it finds in the database, and the intake counts the same length for RFC822.SIZE; the
/// database's <c>message_bytes()</c> renders the same bytes for SQL readers. A DER stored in chunks
/// renders chunk by chunk to the same lines, since every chunk but the last is whole lines.
/// </summary>
public static class Base64Lines
{
    /// <summary>Input bytes per full line (76 characters).</summary>
    public const int LineBytes = 57;

    /// <summary>Encoded length of <paramref name="dataLength"/> bytes, line breaks included.</summary>
    public static long EncodedLength(long dataLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataLength);
        var rest = dataLength % LineBytes;
        return dataLength / LineBytes * 78 + (rest == 0 ? 0 : (rest + 2) / 3 * 4 + 2);
    }

    /// <summary>Writes the lines of <paramref name="data"/> to <paramref name="destination"/>, which must hold <see cref="EncodedLength"/> bytes.</summary>
    public static void Encode(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var position = 0;
        for (var offset = 0; offset < data.Length; offset += LineBytes)
        {
            var chunk = data.Slice(offset, Math.Min(LineBytes, data.Length - offset));
            Base64.EncodeToUtf8(chunk, destination[position..], out _, out var written);
            position += written;
            destination[position++] = (byte)'\r';
            destination[position++] = (byte)'\n';
        }
    }
}

using System.Runtime.InteropServices;
using MimeKit.Encodings;

namespace Encimap.Mime;

/// <summary>
/// Undoes a part's Content-Transfer-Encoding (RFC 2045 §6) with MimeKit's decoders, for IMAP
/// BINARY (RFC 3516). Base64 and quoted-printable are decoded; every other encoding (7bit, 8bit,
/// binary, unknown) is the content as it is.
/// </summary>
public static class TransferDecoding
{
    /// <summary>The decoded content of <paramref name="body"/>, whose encoding is <paramref name="encoding"/> (as in <see cref="BodyStructure.Encoding"/>).</summary>
    public static ReadOnlyMemory<byte> Decode(string encoding, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        IMimeDecoder? decoder = encoding.Trim().ToLowerInvariant() switch
        {
            "base64" => new Base64Decoder(),
            "quoted-printable" => new QuotedPrintableDecoder(),
            _ => null,
        };
        if (decoder is null || body.IsEmpty)
        {
            return body;
        }

        var input = MemoryMarshal.TryGetArray(body, out var segment) ? segment : new ArraySegment<byte>(body.ToArray());
        var output = new byte[decoder.EstimateOutputLength(input.Count)];
        var length = decoder.Decode(input.Array!, input.Offset, input.Count, output);
        return output.AsMemory(0, length);
    }
}

using System.Buffers;
using System.Buffers.Text;

namespace Encimap.Mime;

/// <summary>
/// Content-Transfer-Encoding decoders (RFC 2045 §6). Lenient, never throwing: base64 skips
/// characters outside its alphabet and tolerates missing padding; quoted-printable keeps invalid
/// escapes as written.
/// </summary>
public static class TransferDecoder
{
    /// <summary>
    /// Decodes <paramref name="body"/> in <paramref name="encoding"/> ("base64",
    /// "quoted-printable"); every other encoding (7bit, 8bit, binary, unknown) is returned as is.
    /// </summary>
    public static byte[] Decode(string encoding, ReadOnlySpan<byte> body) => encoding.Trim().ToLowerInvariant() switch
    {
        "base64" => DecodeBase64(body),
        "quoted-printable" => DecodeQuotedPrintable(body),
        _ => body.ToArray(),
    };

    /// <summary>
    /// Base64 (RFC 2045 §6.8): characters outside the alphabet (line breaks, whitespace, garbage)
    /// are ignored; decoding stops at the first "=" pad; a trailing partial group yields the
    /// whole bytes it holds.
    /// </summary>
    public static byte[] DecodeBase64(ReadOnlySpan<byte> input)
    {
        // Fast path for well-formed input (the vectorized decoder skips whitespace); anything
        // else takes the lenient loop below.
        var compact = ArrayPool<byte>.Shared.Rent(input.Length);
        try
        {
            var length = RemoveLineBreaks(input, compact);
            var fast = new byte[Base64.GetMaxDecodedFromUtf8Length(length)];
            if (Base64.DecodeFromUtf8(compact.AsSpan(0, length), fast, out _, out var written) == OperationStatus.Done)
            {
                return written == fast.Length ? fast : fast.AsSpan(0, written).ToArray();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compact);
        }
        return DecodeBase64Leniently(input);
    }

    /// <summary>Copies <paramref name="input"/> without CR and LF, a line at a time; returns the length.</summary>
    private static int RemoveLineBreaks(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var length = 0;
        while (!input.IsEmpty)
        {
            var lineBreak = input.IndexOfAny((byte)'\r', (byte)'\n');
            var chunk = lineBreak < 0 ? input : input[..lineBreak];
            chunk.CopyTo(output[length..]);
            length += chunk.Length;
            input = lineBreak < 0 ? default : input[(lineBreak + 1)..];
        }
        return length;
    }

    private static byte[] DecodeBase64Leniently(ReadOnlySpan<byte> input)
    {
        var output = new byte[input.Length / 4 * 3 + 3];
        var length = 0;
        var accumulator = 0;
        var bits = 0;
        foreach (var b in input)
        {
            if (b == (byte)'=') break;
            var value = Base64Value(b);
            if (value < 0) continue;
            accumulator = (accumulator << 6) | value;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                output[length++] = (byte)(accumulator >> bits);
                accumulator &= (1 << bits) - 1;
            }
        }
        return output.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// Quoted-printable (RFC 2045 §6.7): "=XX" (either case) is a byte; "=" at the end of a line,
    /// after optional transport padding, is a soft line break; an invalid escape stays as written;
    /// trailing whitespace on a line is transport padding and is dropped (rule 3).
    /// </summary>
    public static byte[] DecodeQuotedPrintable(ReadOnlySpan<byte> input)
    {
        var output = new byte[input.Length];
        var length = 0;
        var i = 0;
        while (i < input.Length)
        {
            var b = input[i];
            if (b == (byte)'=')
            {
                if (TryHexPair(input, i + 1, out var decoded))
                {
                    output[length++] = decoded;
                    i += 3;
                    continue;
                }
                var afterPadding = i + 1;
                while (afterPadding < input.Length && input[afterPadding] is (byte)' ' or (byte)'\t') afterPadding++;
                if (afterPadding == input.Length) break;
                if (input[afterPadding] == (byte)'\n')
                {
                    i = afterPadding + 1;
                    continue;
                }
                if (input[afterPadding] == (byte)'\r' && (afterPadding + 1 == input.Length || input[afterPadding + 1] == (byte)'\n'))
                {
                    i = Math.Min(input.Length, afterPadding + 2);
                    continue;
                }
                output[length++] = b;
                i++;
                continue;
            }
            if (b is (byte)' ' or (byte)'\t')
            {
                var run = i;
                while (run < input.Length && input[run] is (byte)' ' or (byte)'\t') run++;
                var atLineEnd = run == input.Length || input[run] == (byte)'\n'
                    || (input[run] == (byte)'\r' && run + 1 < input.Length && input[run + 1] == (byte)'\n');
                if (!atLineEnd)
                {
                    input[i..run].CopyTo(output.AsSpan(length));
                    length += run - i;
                }
                i = run;
                continue;
            }
            output[length++] = b;
            i++;
        }
        return output.AsSpan(0, length).ToArray();
    }

    internal static int HexValue(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };

    private static bool TryHexPair(ReadOnlySpan<byte> input, int at, out byte value)
    {
        value = 0;
        if (at + 1 >= input.Length) return false;
        var high = HexValue(input[at]);
        var low = HexValue(input[at + 1]);
        if (high < 0 || low < 0) return false;
        value = (byte)(high * 16 + low);
        return true;
    }

    private static int Base64Value(byte b) => b switch
    {
        >= (byte)'A' and <= (byte)'Z' => b - 'A',
        >= (byte)'a' and <= (byte)'z' => b - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => b - '0' + 52,
        (byte)'+' => 62,
        (byte)'/' => 63,
        _ => -1,
    };
}

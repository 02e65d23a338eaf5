using System.Text;

namespace Encimap.Mime;

/// <summary>
/// RFC 2047 encoded words: =?charset[*language]?B|Q?text?=. Decoding is lenient the way mail
/// readers are: words are recognised inside other text and quoted strings too, whitespace between
/// adjacent encoded words is dropped (RFC 2047 §6.2), and adjacent words in the same charset are
/// joined before decoding, so a multi-byte character split across two words survives. An
/// unknown charset reads as UTF-8 (or windows-1252 when not valid UTF-8).
/// </summary>
public static class EncodedWords
{
    private const int MaxCharsetLength = 64;

    // Far above RFC 2047's 75 characters (broken encoders write longer words), and a bound on the
    // work each "=?" in hostile text can cause.
    private const int MaxPayloadLength = 4096;

    private readonly record struct Word(int Start, int End, string Charset, byte[] Bytes);

    /// <summary>Decodes every encoded word in <paramref name="text"/>; other text is kept as is.</summary>
    public static string Decode(string text)
    {
        if (!text.Contains("=?", StringComparison.Ordinal)) return text;

        var output = new StringBuilder(text.Length);
        var pending = new List<byte>();
        string? pendingCharset = null;
        var pos = 0;
        var literalStart = 0;
        while (pos < text.Length)
        {
            var candidate = text.IndexOf("=?", pos, StringComparison.Ordinal);
            if (candidate < 0) break;
            if (!TryReadWord(text, candidate, out var word))
            {
                pos = candidate + 2;
                continue;
            }

            var between = text.AsSpan(literalStart, candidate - literalStart);
            var joinsPrevious = pendingCharset is not null && between.IsWhiteSpace();
            if (!joinsPrevious)
            {
                FlushWord(pending, pendingCharset, output);
                pendingCharset = null;
                output.Append(between);
            }
            if (pendingCharset is not null && !pendingCharset.Equals(word.Charset, StringComparison.OrdinalIgnoreCase))
            {
                FlushWord(pending, pendingCharset, output);
            }
            pendingCharset = word.Charset;
            pending.AddRange(word.Bytes);
            pos = literalStart = word.End;
        }
        FlushWord(pending, pendingCharset, output);
        output.Append(text.AsSpan(literalStart));
        return output.ToString();
    }

    private static void FlushWord(List<byte> pending, string? charset, StringBuilder output)
    {
        if (pending.Count == 0) return;
        output.Append(Charsets.DecodeText(pending.ToArray(), charset));
        pending.Clear();
    }

    /// <summary>Reads one encoded word starting at "=?" (RFC 2047 §2, with RFC 2231 §5 language).</summary>
    private static bool TryReadWord(string text, int start, out Word word)
    {
        word = default;
        var charsetStart = start + 2;
        var charsetEnd = text.IndexOf('?', charsetStart, Math.Min(MaxCharsetLength + 1, text.Length - charsetStart));
        if (charsetEnd <= charsetStart) return false;
        if (charsetEnd + 2 >= text.Length || text[charsetEnd + 2] != '?') return false;
        var encoding = char.ToUpperInvariant(text[charsetEnd + 1]);
        if (encoding is not ('B' or 'Q')) return false;

        var payloadStart = charsetEnd + 3;
        // encoded-text never contains "?" (RFC 2047 §5): the first "?" must start the closing "?=".
        var payloadEnd = text.IndexOf('?', payloadStart, Math.Min(MaxPayloadLength + 1, text.Length - payloadStart));
        if (payloadEnd < 0 || payloadEnd + 1 >= text.Length || text[payloadEnd + 1] != '=') return false;
        var payload = text.AsSpan(payloadStart, payloadEnd - payloadStart);
        if (payload.ContainsAny(' ', '\t')) return false;

        var charset = text.AsSpan(charsetStart, charsetEnd - charsetStart);
        if (charset.ContainsAny(' ', '\t', '"')) return false;
        var star = charset.IndexOf('*');
        if (star >= 0) charset = charset[..star];

        var bytes = encoding == 'B' ? DecodeB(payload) : DecodeQ(payload);
        word = new Word(start, payloadEnd + 2, charset.ToString(), bytes);
        return true;
    }

    private static byte[] DecodeB(ReadOnlySpan<char> payload)
    {
        var ascii = new byte[payload.Length];
        for (var i = 0; i < payload.Length; i++) ascii[i] = payload[i] < 0x80 ? (byte)payload[i] : (byte)'?';
        return TransferDecoder.DecodeBase64(ascii);
    }

    /// <summary>The Q encoding (RFC 2047 §4.2): "_" is a space, "=XX" a byte.</summary>
    private static byte[] DecodeQ(ReadOnlySpan<char> payload)
    {
        var bytes = new List<byte>(payload.Length);
        for (var i = 0; i < payload.Length; i++)
        {
            var c = payload[i];
            if (c == '_')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '=' && i + 2 < payload.Length
                && TransferDecoder.HexValue(payload[i + 1]) is var high and >= 0
                && TransferDecoder.HexValue(payload[i + 2]) is var low and >= 0)
            {
                bytes.Add((byte)(high * 16 + low));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        return bytes.ToArray();
    }
}

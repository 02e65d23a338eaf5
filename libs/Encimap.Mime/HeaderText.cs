namespace Encimap.Mime;

/// <summary>Turns raw header bytes into text.</summary>
internal static class HeaderText
{
    /// <summary>
    /// Unfolds a field body (RFC 5322 §2.2.3: line breaks that precede whitespace are removed; the
    /// whitespace stays), trims it and reads it as UTF-8, or windows-1252 when not valid UTF-8.
    /// Reads at most <paramref name="maxLength"/> bytes.
    /// </summary>
    public static string Unfold(ReadOnlySpan<byte> fieldBody, int maxLength)
    {
        if (fieldBody.Length > maxLength) fieldBody = fieldBody[..Math.Max(0, maxLength)];
        var hasBreaks = fieldBody.IndexOfAny((byte)'\r', (byte)'\n') >= 0;
        if (!hasBreaks) return Charsets.DecodeUndeclared(Trim(fieldBody));

        var buffer = new byte[fieldBody.Length];
        var length = 0;
        foreach (var b in fieldBody)
        {
            if (b is (byte)'\r' or (byte)'\n') continue;
            buffer[length++] = b;
        }
        return Charsets.DecodeUndeclared(Trim(buffer.AsSpan(0, length)));
    }

    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> bytes)
    {
        var start = 0;
        var end = bytes.Length;
        while (start < end && IsWhitespace(bytes[start])) start++;
        while (end > start && IsWhitespace(bytes[end - 1])) end--;
        return bytes[start..end];
    }

    public static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}

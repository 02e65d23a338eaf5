namespace Encimap.Mime;

/// <summary>
/// Splits a header block (RFC 5322 §2.2, §3.5) into fields. Lines end in CRLF or a bare LF. The
/// block ends at the first empty line, at the end of the input, or before the first line that is
/// neither a field nor a continuation (best effort: such a line starts the body).
/// </summary>
internal static class HeaderBlockParser
{
    internal readonly record struct Result(List<HeaderField> Fields, int HeaderLength, int BodyStart);

    public static Result Parse(ReadOnlyMemory<byte> source, int start, int end, MimeParserOptions options, bool skipMboxFromLine)
    {
        var span = source.Span;
        var fields = new List<HeaderField>();
        var pos = start;
        var fieldStart = -1;
        var fieldEnd = -1;
        var colon = -1;

        if (skipMboxFromLine && span[start..end].StartsWith("From "u8))
        {
            pos = NextLineStart(span, start, end);
        }

        while (pos < end)
        {
            var lineEnd = LineContentEnd(span, pos, end, out var nextLine);
            if (lineEnd == pos)
            {
                AddField(source, fields, fieldStart, fieldEnd, colon, options);
                return new Result(fields, nextLine - start, nextLine);
            }

            if (span[pos] is (byte)' ' or (byte)'\t')
            {
                // A continuation line (folding). Without a field to continue it is stray whitespace: skip it.
                if (fieldStart >= 0) fieldEnd = lineEnd;
                pos = nextLine;
                continue;
            }

            var nameEnd = FieldNameEnd(span, pos, lineEnd);
            if (nameEnd < 0)
            {
                // Not a header line: the header ends here without an empty line, and the body starts.
                AddField(source, fields, fieldStart, fieldEnd, colon, options);
                return new Result(fields, pos - start, pos);
            }

            AddField(source, fields, fieldStart, fieldEnd, colon, options);
            fieldStart = pos;
            fieldEnd = lineEnd;
            colon = nameEnd;
            pos = nextLine;
        }

        AddField(source, fields, fieldStart, fieldEnd, colon, options);
        return new Result(fields, end - start, end);
    }

    /// <summary>Index just past the line break of the line at <paramref name="pos"/> (or <paramref name="end"/>).</summary>
    internal static int NextLineStart(ReadOnlySpan<byte> span, int pos, int end)
    {
        var lf = span[pos..end].IndexOf((byte)'\n');
        return lf < 0 ? end : pos + lf + 1;
    }

    /// <summary>End of the line's content (before CRLF or LF), and the start of the next line.</summary>
    internal static int LineContentEnd(ReadOnlySpan<byte> span, int pos, int end, out int nextLine)
    {
        var lf = span[pos..end].IndexOf((byte)'\n');
        if (lf < 0)
        {
            nextLine = end;
            return end;
        }
        nextLine = pos + lf + 1;
        var contentEnd = pos + lf;
        if (contentEnd > pos && span[contentEnd - 1] == (byte)'\r') contentEnd--;
        return contentEnd;
    }

    /// <summary>
    /// Index of the colon that ends a field name (RFC 5322 §3.6.8 ftext: printable ASCII except
    /// colon; obs-optional allows whitespace before the colon, §4.5), or -1 when the line is no field.
    /// </summary>
    private static int FieldNameEnd(ReadOnlySpan<byte> span, int pos, int lineEnd)
    {
        var i = pos;
        while (i < lineEnd && span[i] is > 32 and < 127 and not (byte)':') i++;
        if (i == pos) return -1;
        while (i < lineEnd && span[i] is (byte)' ' or (byte)'\t') i++;
        return i < lineEnd && span[i] == (byte)':' ? i : -1;
    }

    private static void AddField(ReadOnlyMemory<byte> source, List<HeaderField> fields, int fieldStart, int fieldEnd, int colon, MimeParserOptions options)
    {
        if (fieldStart < 0 || fields.Count >= options.MaxHeaders) return;
        var nameSpan = HeaderText.Trim(source.Span[fieldStart..colon]);
        var name = System.Text.Encoding.ASCII.GetString(nameSpan);
        var raw = source[fieldStart..fieldEnd];
        fields.Add(new HeaderField(name, raw, colon + 1 - fieldStart, options.MaxLineLength));
    }
}

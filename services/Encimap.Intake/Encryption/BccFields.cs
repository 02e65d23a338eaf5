namespace Encimap.Intake.Encryption;

/// <summary>
/// Takes the blind-copy fields (Bcc, Resent-Bcc; RFC 5322 §3.6.3, §3.6.6) out of the header of a
/// message that is otherwise stored as it came (one already S/MIME encrypted), so that its blind
/// recipients are never kept in clear. Lines are read as the MIME parser reads them: they end in
/// LF or CRLF, a line starting with a space or tab continues the field before it, and the header
/// ends at the first empty line or at the first line that is no field.
/// </summary>
internal static class BccFields
{
    /// <summary>
    /// The message without its blind-copy fields, every other byte as it was; false when its
    /// header holds a bare CR, which some readers take for a line break: no one can then say which
    /// fields it holds, and the caller must not store that header in clear.
    /// </summary>
    public static bool TryRemove(ReadOnlySpan<byte> message, out byte[] withoutBcc)
    {
        var removed = new List<Range>();
        var removing = false;
        var pos = message.StartsWith("From "u8) ? NextLine(message, 0, out _) : 0;
        while (pos < message.Length)
        {
            var next = NextLine(message, pos, out var contentEnd);
            if (contentEnd == pos)
            {
                break;
            }

            if (message[pos..contentEnd].Contains((byte)'\r'))
            {
                withoutBcc = [];
                return false;
            }

            if (message[pos] is (byte)' ' or (byte)'\t')
            {
                if (removing)
                {
                    removed.Add(pos..next);
                }
            }
            else if (FieldName(message[pos..contentEnd]) is { } name)
            {
                removing = name.SequenceEqual("bcc"u8) || name.SequenceEqual("resent-bcc"u8);
                if (removing)
                {
                    removed.Add(pos..next);
                }
            }
            else
            {
                break;
            }

            pos = next;
        }

        withoutBcc = Without(message, removed);
        return true;
    }

    // The start of the next line; contentEnd is where this line's content ends (before CRLF or LF).
    private static int NextLine(ReadOnlySpan<byte> message, int pos, out int contentEnd)
    {
        var lf = message[pos..].IndexOf((byte)'\n');
        if (lf < 0)
        {
            contentEnd = message.Length;
            return message.Length;
        }

        contentEnd = pos + lf;
        if (contentEnd > pos && message[contentEnd - 1] == (byte)'\r')
        {
            contentEnd--;
        }

        return pos + lf + 1;
    }

    // The lower-case field name of a field's first line (printable ASCII but colon, optional
    // white space before the colon: RFC 5322 §3.6.8, §4.5), or null when the line is no field.
    private static byte[]? FieldName(ReadOnlySpan<byte> line)
    {
        var end = 0;
        while (end < line.Length && line[end] is > 32 and < 127 and not (byte)':')
        {
            end++;
        }

        var colon = end;
        while (colon < line.Length && line[colon] is (byte)' ' or (byte)'\t')
        {
            colon++;
        }

        if (end == 0 || colon == line.Length || line[colon] != (byte)':')
        {
            return null;
        }

        var name = line[..end].ToArray();
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] is >= (byte)'A' and <= (byte)'Z')
            {
                name[i] += 'a' - 'A';
            }
        }

        return name;
    }

    private static byte[] Without(ReadOnlySpan<byte> message, List<Range> removed)
    {
        var output = new byte[message.Length - removed.Sum(r => r.End.Value - r.Start.Value)];
        var written = 0;
        var pos = 0;
        foreach (var range in removed)
        {
            message[pos..range.Start.Value].CopyTo(output.AsSpan(written));
            written += range.Start.Value - pos;
            pos = range.End.Value;
        }

        message[pos..].CopyTo(output.AsSpan(written));
        return output;
    }
}

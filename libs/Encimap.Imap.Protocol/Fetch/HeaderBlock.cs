using System.Text;

namespace Encimap.Imap.Protocol;

/// <summary>
/// The header block of a message as raw bytes: where it ends, and the HEADER.FIELDS selection.
/// Fields keep their bytes (folding included) exactly as stored.
/// </summary>
public static class HeaderBlock
{
    /// <summary>Length of the header including the empty line that ends it (the whole input if it never ends).</summary>
    public static int Length(ReadOnlySpan<byte> message)
    {
        if (message.StartsWith("\r\n"u8))
        {
            return 2;
        }

        if (message.StartsWith("\n"u8))
        {
            return 1;
        }

        var crlf = message.IndexOf("\r\n\r\n"u8);
        var lf = message.IndexOf("\n\n"u8);
        if (crlf >= 0 && (lf < 0 || crlf < lf + 1))
        {
            return crlf + 4;
        }

        return lf >= 0 ? lf + 2 : message.Length;
    }

    /// <summary>The fields named (or, with <paramref name="exclude"/>, not named) in <paramref name="names"/>, followed by the empty line.</summary>
    public static byte[] Select(ReadOnlySpan<byte> header, IReadOnlyCollection<string> names, bool exclude)
    {
        var output = new List<byte>(256);
        var include = false;
        var position = 0;
        while (position < header.Length)
        {
            var rest = header[position..];
            var newline = rest.IndexOf((byte)'\n');
            var line = newline < 0 ? rest : rest[..(newline + 1)];
            position += line.Length;
            if (line.SequenceEqual("\r\n"u8) || line.SequenceEqual("\n"u8))
            {
                break;
            }

            if (line[0] is not ((byte)' ' or (byte)'\t'))
            {
                var colon = line.IndexOf((byte)':');
                var name = colon > 0 ? Encoding.ASCII.GetString(line[..colon]).TrimEnd() : "";
                var named = names.Any(n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
                include = colon > 0 && named != exclude;
            }

            if (include)
            {
                output.AddRange(line);
                if (line[^1] != '\n')
                {
                    output.AddRange("\r\n"u8);
                }
            }
        }

        output.AddRange("\r\n"u8);
        return output.ToArray();
    }

    /// <summary>Unfolded values of the fields named <paramref name="name"/>.</summary>
    public static IEnumerable<string> Values(ReadOnlyMemory<byte> header, string name)
    {
        var text = Encoding.UTF8.GetString(header.Span);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        string? current = null;
        var values = new List<string>();
        foreach (var line in lines)
        {
            if (line.Length > 0 && line[0] is ' ' or '\t')
            {
                if (current is not null)
                {
                    current += line;
                }

                continue;
            }

            if (current is not null)
            {
                values.Add(current);
                current = null;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].TrimEnd().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                current = line[(colon + 1)..].Trim();
            }
        }

        if (current is not null)
        {
            values.Add(current);
        }

        return values;
    }
}

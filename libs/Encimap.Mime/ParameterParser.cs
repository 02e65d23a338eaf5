using System.Text;

namespace Encimap.Mime;

/// <summary>
/// Parameters of Content-Type and Content-Disposition (RFC 2045 §5.1, RFC 2183 §2), including
/// RFC 2231 extended values: charset and language (name*=utf-8'en'%E2%82%AC) and continuations
/// (name*0=...; name*1*=...). Lenient: unquoted values with spaces, unterminated quoted strings,
/// stray semicolons and missing values are accepted; the first of duplicate parameters wins.
/// </summary>
internal static class ParameterParser
{
    private sealed record Section(int Index, bool Encoded, string Value);

    /// <summary>Parses "; name=value; ..." starting at <paramref name="pos"/>. Keys are lower case.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string text, int pos)
    {
        var order = new List<string>();
        var plain = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var extended = new Dictionary<string, List<Section>>(StringComparer.OrdinalIgnoreCase);

        while (pos < text.Length)
        {
            pos = SkipSeparators(text, pos);
            if (pos >= text.Length) break;
            var name = ReadName(text, ref pos);
            pos = SkipWhitespaceAndComments(text, pos);
            if (name.Length == 0 || pos >= text.Length || text[pos] != '=')
            {
                pos = SkipToSemicolon(text, pos);
                continue;
            }
            pos = SkipWhitespaceAndComments(text, pos + 1);
            var value = ReadValue(text, ref pos);
            AddParameter(name.ToLowerInvariant(), value, order, plain, extended);
        }
        return Assemble(order, plain, extended);
    }

    private static void AddParameter(string name, string value, List<string> order,
        Dictionary<string, string> plain, Dictionary<string, List<Section>> extended)
    {
        var star = name.IndexOf('*');
        if (star <= 0)
        {
            if (star == 0) return;
            if (!plain.ContainsKey(name))
            {
                plain[name] = value;
                if (!extended.ContainsKey(name)) order.Add(name);
            }
            return;
        }

        // RFC 2231 §3-4: name*  |  name*N  |  name*N*
        var baseName = name[..star];
        var rest = name[(star + 1)..];
        var encoded = rest.EndsWith('*') || rest.Length == 0;
        var indexText = rest.TrimEnd('*');
        var index = 0;
        if (indexText.Length > 0 && !int.TryParse(indexText, System.Globalization.NumberStyles.None, null, out index)) return;
        if (index > 10_000) return;

        if (!extended.TryGetValue(baseName, out var sections))
        {
            sections = [];
            extended[baseName] = sections;
            if (!plain.ContainsKey(baseName)) order.Add(baseName);
        }
        if (sections.Exists(section => section.Index == index)) return;
        sections.Add(new Section(index, encoded, value));
    }

    private static Dictionary<string, string> Assemble(List<string> order, Dictionary<string, string> plain,
        Dictionary<string, List<Section>> extended)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in order)
        {
            // An RFC 2231 value wins over a plain one of the same name (senders add the plain
            // one for older readers).
            result[name] = extended.TryGetValue(name, out var sections) ? JoinSections(sections) : plain[name];
        }
        return result;
    }

    /// <summary>Joins continuation sections in index order, decoding the encoded ones (RFC 2231 §4).</summary>
    private static string JoinSections(List<Section> sections)
    {
        sections.Sort((a, b) => a.Index.CompareTo(b.Index));
        string? charset = null;
        var text = new StringBuilder();
        var pending = new List<byte>();
        for (var i = 0; i < sections.Count; i++)
        {
            var section = sections[i];
            if (!section.Encoded)
            {
                Flush(pending, charset, text);
                text.Append(section.Value);
                continue;
            }
            var value = section.Value;
            if (i == 0)
            {
                // charset'language'value; both may be empty.
                var first = value.IndexOf('\'');
                var second = first < 0 ? -1 : value.IndexOf('\'', first + 1);
                if (second >= 0)
                {
                    charset = value[..first];
                    value = value[(second + 1)..];
                }
            }
            PercentDecode(value, pending);
        }
        Flush(pending, charset, text);
        return text.ToString();
    }

    private static void Flush(List<byte> pending, string? charset, StringBuilder text)
    {
        if (pending.Count == 0) return;
        text.Append(Charsets.DecodeText(pending.ToArray(), charset));
        pending.Clear();
    }

    private static void PercentDecode(string value, List<byte> output)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && TransferDecoder.HexValue(value[i + 1]) is var high and >= 0
                && TransferDecoder.HexValue(value[i + 2]) is var low and >= 0)
            {
                output.Add((byte)(high * 16 + low));
                i += 2;
            }
            else if (c < 0x80)
            {
                output.Add((byte)c);
            }
            else
            {
                output.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
    }

    private static string ReadName(string text, ref int pos)
    {
        var start = pos;
        while (pos < text.Length && text[pos] is not ('=' or ';' or ' ' or '\t' or '"' or '(')) pos++;
        return text[start..pos];
    }

    private static string ReadValue(string text, ref int pos)
    {
        if (pos < text.Length && text[pos] == '"') return ReadQuotedString(text, ref pos);
        // Token; leniently up to the next semicolon, so that unquoted values with spaces survive.
        var start = pos;
        while (pos < text.Length && text[pos] != ';') pos++;
        var value = text[start..pos].Trim();
        var comment = value.IndexOf('(');
        if (comment > 0) value = value[..comment].TrimEnd();
        return value;
    }

    /// <summary>A quoted-string (RFC 5322 §3.2.4) with its escapes undone; unterminated ones end at the end.</summary>
    internal static string ReadQuotedString(string text, ref int pos)
    {
        var builder = new StringBuilder();
        pos++;
        while (pos < text.Length)
        {
            var c = text[pos++];
            if (c == '"') break;
            if (c == '\\' && pos < text.Length) c = text[pos++];
            builder.Append(c);
        }
        return builder.ToString();
    }

    private static int SkipSeparators(string text, int pos)
    {
        while (true)
        {
            pos = SkipWhitespaceAndComments(text, pos);
            if (pos < text.Length && text[pos] == ';') pos++;
            else return pos;
        }
    }

    private static int SkipToSemicolon(string text, int pos)
    {
        while (pos < text.Length && text[pos] != ';')
        {
            if (text[pos] == '"') ReadQuotedString(text, ref pos);
            else pos++;
        }
        return pos;
    }

    /// <summary>Skips whitespace and (nested) comments (RFC 5322 §3.2.2).</summary>
    internal static int SkipWhitespaceAndComments(string text, int pos)
    {
        while (pos < text.Length)
        {
            var c = text[pos];
            if (c is ' ' or '\t' or '\r' or '\n') pos++;
            else if (c == '(') pos = SkipComment(text, pos);
            else break;
        }
        return pos;
    }

    internal static int SkipComment(string text, int pos)
    {
        var depth = 0;
        while (pos < text.Length)
        {
            var c = text[pos++];
            if (c == '\\') pos++;
            else if (c == '(') depth++;
            else if (c == ')' && --depth == 0) break;
        }
        return Math.Min(pos, text.Length);
    }
}

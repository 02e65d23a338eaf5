namespace Encimap.Mime;

/// <summary>
/// Message identifiers (RFC 5322 §3.6.4) in Message-ID, In-Reply-To, References and Content-ID.
/// Lenient: identifiers without angle brackets are accepted when they look like one (contain "@").
/// </summary>
public static class MessageIdParser
{
    /// <summary>The first identifier, without angle brackets; null when there is none.</summary>
    public static string? Parse(string value)
    {
        var ids = ParseList(value);
        return ids.Count > 0 ? ids[0] : null;
    }

    /// <summary>Every identifier in order, without angle brackets (for References and In-Reply-To).</summary>
    public static IReadOnlyList<string> ParseList(string value)
    {
        var ids = new List<string>();
        var pos = 0;
        while (pos < value.Length)
        {
            var open = value.IndexOf('<', pos);
            if (open < 0) break;
            var close = value.IndexOf('>', open + 1);
            if (close < 0) break;
            var id = RemoveWhitespace(value[(open + 1)..close]);
            if (id.Length > 0) ids.Add(id);
            pos = close + 1;
        }
        if (ids.Count > 0) return ids;

        foreach (var word in value.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.Contains('@') && !word.StartsWith('(')) ids.Add(word.Trim('<', '>'));
        }
        return ids;
    }

    private static string RemoveWhitespace(string text) =>
        text.Any(char.IsWhiteSpace) ? string.Concat(text.Where(c => !char.IsWhiteSpace(c))) : text;
}

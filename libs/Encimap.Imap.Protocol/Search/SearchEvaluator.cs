using System.Globalization;

namespace Encimap.Imap.Protocol;

/// <summary>
/// Evaluates a SEARCH criterion on one message. BODY and TEXT match only what is in clear, which
/// for an encrypted message is its outer header block: the body is ciphertext.
/// </summary>
public static class SearchEvaluator
{
    public static bool Matches(SearchKey key, SearchCandidate m) => key switch
    {
        SearchAll => true,
        SearchFlag f => m.Flags.Contains(f.Flag, StringComparer.OrdinalIgnoreCase) == f.Set,
        SearchHeader h => HeaderMatches(m, h.Field, h.Value),
        SearchText t => Contains(System.Text.Encoding.UTF8.GetString(m.Header.Span), t.Value) ||
            Values(m, "Subject").Any(v => Contains(v, t.Value)) || Values(m, "From").Any(v => Contains(v, t.Value)),
        SearchDate d => CompareDate(d, d.Field == SearchDateField.Internal ? m.InternalDate : SentDateOf(m)),
        SearchSize s => s.Larger ? m.Size > s.Size : m.Size < s.Size,
        SearchSet s => s.Uid && s.Set.Contains(m.Uid, uint.MaxValue - 1),
        SearchNot n => !Matches(n.Key, m),
        SearchOr o => Matches(o.Left, m) || Matches(o.Right, m),
        SearchAnd a => a.Keys.All(k => Matches(k, m)),
        SearchModSeq q => m.ModSeq >= q.ModSeq,
        _ => false,
    };

    /// <summary>Whether the criterion mentions MODSEQ (the response then carries the highest mod-sequence).</summary>
    public static bool UsesModSeq(SearchKey key) => key switch
    {
        SearchModSeq => true,
        SearchNot n => UsesModSeq(n.Key),
        SearchOr o => UsesModSeq(o.Left) || UsesModSeq(o.Right),
        SearchAnd a => a.Keys.Any(UsesModSeq),
        _ => false,
    };

    private static IEnumerable<string> Values(SearchCandidate m, string field) =>
        m.HeaderValues?.Invoke(field) ?? HeaderBlock.Values(m.Header, field);

    private static bool HeaderMatches(SearchCandidate m, string field, string value)
    {
        var values = Values(m, field).ToList();
        return value.Length == 0 ? values.Count > 0 : values.Any(v => Contains(v, value));
    }

    private static bool Contains(string text, string value) =>
        CultureInfo.InvariantCulture.CompareInfo.IndexOf(text, value, CompareOptions.IgnoreCase) >= 0;

    private static DateTimeOffset? SentDateOf(SearchCandidate m)
    {
        if (m.SentDate is { } date)
        {
            return date;
        }

        var raw = HeaderBlock.Values(m.Header, "Date").FirstOrDefault();
        return raw is not null && TryParseRfc5322Date(raw, out var parsed) ? parsed : null;
    }

    private static bool CompareDate(SearchDate d, DateTimeOffset? value)
    {
        if (value is not { } v)
        {
            return false;
        }

        // RFC 3501: dates disregarding time and timezone — the date as written in its own zone.
        var date = DateOnly.FromDateTime(v.DateTime);
        return d.Comparison switch
        {
            SearchDateComparison.Before => date < d.Date,
            SearchDateComparison.On => date == d.Date,
            _ => date >= d.Date,
        };
    }

    /// <summary>A lenient RFC 5322 date parser (day names, comments and obsolete zones tolerated).</summary>
    public static bool TryParseRfc5322Date(string text, out DateTimeOffset value)
    {
        var cleaned = text;
        var paren = cleaned.IndexOf('(', StringComparison.Ordinal);
        if (paren > 0)
        {
            cleaned = cleaned[..paren];
        }

        cleaned = cleaned.Trim();
        var comma = cleaned.IndexOf(',', StringComparison.Ordinal);
        if (comma >= 0)
        {
            cleaned = cleaned[(comma + 1)..].Trim();
        }

        cleaned = string.Join(' ', cleaned.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        cleaned = cleaned.Replace(" GMT", " +0000", StringComparison.OrdinalIgnoreCase).Replace(" UT", " +0000", StringComparison.Ordinal);
        string[] formats = ["d MMM yyyy HH:mm:ss zzz", "d MMM yyyy HH:mm zzz", "d MMM yy HH:mm:ss zzz"];
        var normalized = System.Text.RegularExpressions.Regex.Replace(cleaned, @"([+-])(\d\d)(\d\d)$", "$1$2:$3");
        return DateTimeOffset.TryParseExact(normalized, formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out value);
    }
}

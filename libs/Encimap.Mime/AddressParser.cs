using System.Text;

namespace Encimap.Mime;

/// <summary>
/// Address lists (RFC 5322 §3.4) into IMAP address structures (RFC 3501 §7.4.2). Accepts the
/// obsolete forms of RFC 5322 §4.4 (source routes, CFWS around dots, empty list members) and what
/// mailers get wrong (missing angle brackets, "Name user@host" without brackets, unbalanced
/// quotes and brackets). Never throws; garbage yields whatever addresses can be recognised.
/// </summary>
public static class AddressParser
{
    /// <summary>
    /// Parses an address-list field body. Give it <see cref="HeaderField.RawValue"/>, not the
    /// decoded <see cref="HeaderField.Value"/>: a decoded display name may contain commas or
    /// angle brackets. Display names keep their RFC 2047 words (<see cref="MailAddress.DecodedName"/>
    /// decodes them); a comment serves as the name when an address has no phrase.
    /// </summary>
    public static IReadOnlyList<MailAddress> Parse(string headerValue)
    {
        var tokens = AddressTokenizer.Tokenize(headerValue);
        var result = new List<MailAddress>();
        var pos = 0;
        ParseList(tokens, ref pos, inGroup: false, result);
        return result;
    }

    private static void ParseList(List<AddressToken> tokens, ref int pos, bool inGroup, List<MailAddress> result)
    {
        while (pos < tokens.Count)
        {
            var token = tokens[pos];
            if (token.IsSpecial(','))
            {
                pos++;
                continue;
            }
            if (token.IsSpecial(';'))
            {
                if (inGroup) return;
                pos++;
                continue;
            }
            ParseItem(tokens, ref pos, inGroup, result);
        }
    }

    /// <summary>One mailbox or group, up to (not including) the next top-level "," or ";".</summary>
    private static void ParseItem(List<AddressToken> tokens, ref int pos, bool inGroup, List<MailAddress> result)
    {
        var start = pos;
        var stop = pos;
        while (stop < tokens.Count && !tokens[stop].IsAnySpecial("<:,;")) stop++;
        var leading = tokens.GetRange(start, stop - start);
        var stopToken = stop < tokens.Count ? tokens[stop] : null;

        if (stopToken is not null && stopToken.IsSpecial(':') && !inGroup && !leading.Exists(t => t.IsSpecial('@')))
        {
            // group = display-name ":" [group-list] ";"  (RFC 5322 §3.4)
            result.Add(MailAddress.GroupStart(Phrase(leading) ?? ""));
            pos = stop + 1;
            ParseList(tokens, ref pos, inGroup: true, result);
            if (pos < tokens.Count && tokens[pos].IsSpecial(';')) pos++;
            result.Add(MailAddress.GroupEnd);
            return;
        }

        if (stopToken is not null && stopToken.IsSpecial('<'))
        {
            pos = stop + 1;
            var address = ParseAngleAddress(tokens, ref pos, Phrase(leading), LastComment(leading));
            // Whatever follows the closing bracket up to the next separator is garbage, except a comment.
            string? trailingComment = null;
            while (pos < tokens.Count && !tokens[pos].IsAnySpecial(inGroup ? ",;" : ","))
            {
                if (tokens[pos].Kind == AddressTokenKind.Comment) trailingComment = tokens[pos].Text;
                pos++;
            }
            if (address is not null)
            {
                result.Add(address.Name is null && trailingComment is not null ? address with { Name = trailingComment } : address);
            }
            return;
        }

        pos = stopToken is not null && stopToken.IsSpecial(':') ? stop + 1 : stop;
        if (AddressFromSpec(leading, name: null) is { } plain) result.Add(plain);
    }

    /// <summary>angle-addr = "&lt;" [obs-route] addr-spec "&gt;"; a missing "&gt;" ends at the next separator.</summary>
    private static MailAddress? ParseAngleAddress(List<AddressToken> tokens, ref int pos, string? name, string? comment)
    {
        var start = pos;
        // Up to ">"; when it is missing (before the next "<"), up to the next ",".
        while (pos < tokens.Count && !tokens[pos].IsSpecial('>') && !tokens[pos].IsSpecial('<')) pos++;
        if (pos == tokens.Count || tokens[pos].IsSpecial('<'))
        {
            pos = start;
            while (pos < tokens.Count && !tokens[pos].IsSpecial(',')) pos++;
        }
        var inner = tokens.GetRange(start, pos - start).FindAll(t => !t.IsSpecial('<'));
        if (pos < tokens.Count && tokens[pos].IsSpecial('>')) pos++;

        string? route = null;
        var routeEnd = inner.FindIndex(t => t.IsSpecial(':'));
        if (routeEnd >= 0 && inner.Count > 0 && inner[0].IsSpecial('@'))
        {
            route = JoinRaw(inner.GetRange(0, routeEnd));
            inner = inner.GetRange(routeEnd + 1, inner.Count - routeEnd - 1);
        }
        var spec = inner.FindAll(t => t.Kind != AddressTokenKind.Comment);
        var (local, domain) = SplitAddrSpec(spec);
        if (local.Length == 0 && domain.Length == 0 && name is null) return null;
        return new MailAddress(name ?? comment, route, local, domain);
    }

    /// <summary>
    /// An address without angle brackets: "user@host", "user@host (Name)", or the common mistake
    /// "Display Name user@host".
    /// </summary>
    private static MailAddress? AddressFromSpec(List<AddressToken> tokens, string? name)
    {
        var comment = LastComment(tokens);
        var words = tokens.FindAll(t => t.Kind != AddressTokenKind.Comment);
        var at = words.FindLastIndex(t => t.IsSpecial('@'));
        if (at > 0)
        {
            // The local part is the run of tokens before "@" not separated by whitespace (dots may be spaced: obs-local-part).
            var localStart = at - 1;
            while (localStart > 0 && IsJoinedToPrevious(words, localStart)) localStart--;
            if (localStart > 0)
            {
                name ??= Phrase(words.GetRange(0, localStart));
                words = words.GetRange(localStart, words.Count - localStart);
            }
        }
        var (local, domain) = SplitAddrSpec(words);
        if (local.Length == 0 && domain.Length == 0) return null;
        return new MailAddress(name ?? comment, null, local, domain);
    }

    private static bool IsJoinedToPrevious(List<AddressToken> words, int index) =>
        !words[index].SpaceBefore || words[index].IsSpecial('.') || words[index - 1].IsSpecial('.');

    private static (string Local, string Domain) SplitAddrSpec(List<AddressToken> tokens)
    {
        var at = tokens.FindLastIndex(t => t.IsSpecial('@'));
        if (at < 0) return (JoinRaw(tokens), "");
        return (JoinRaw(tokens.GetRange(0, at)), JoinRaw(tokens.GetRange(at + 1, tokens.Count - at - 1)));
    }

    /// <summary>Tokens as written without whitespace and comments: for local parts, domains and routes.</summary>
    private static string JoinRaw(List<AddressToken> tokens)
    {
        var builder = new StringBuilder();
        foreach (var token in tokens)
        {
            if (token.Kind != AddressTokenKind.Comment) builder.Append(token.Raw);
        }
        return builder.ToString();
    }

    /// <summary>A phrase (RFC 5322 §3.2.5) as text: quoting undone, words separated as written.</summary>
    private static string? Phrase(List<AddressToken> tokens)
    {
        var builder = new StringBuilder();
        foreach (var token in tokens)
        {
            if (token.Kind == AddressTokenKind.Comment) continue;
            if (token.SpaceBefore && builder.Length > 0) builder.Append(' ');
            builder.Append(token.Text);
        }
        var phrase = builder.ToString().Trim();
        return phrase.Length == 0 ? null : phrase;
    }

    private static string? LastComment(List<AddressToken> tokens)
    {
        var comment = tokens.FindLast(t => t.Kind == AddressTokenKind.Comment)?.Text.Trim();
        return string.IsNullOrEmpty(comment) ? null : comment;
    }
}

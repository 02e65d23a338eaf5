using System.Text;

namespace Encimap.Mime;

internal enum AddressTokenKind { Atom, Quoted, DomainLiteral, Special, Comment }

/// <summary>A lexical token of an address list (RFC 5322 §3.2).</summary>
/// <param name="Kind">What the token is.</param>
/// <param name="Text">The token's meaning: quoting and escapes undone.</param>
/// <param name="Raw">The token as written (a quoted string with its quotes).</param>
/// <param name="SpaceBefore">Whether whitespace or a comment precedes it.</param>
internal sealed record AddressToken(AddressTokenKind Kind, string Text, string Raw, bool SpaceBefore)
{
    public bool IsSpecial(char c) => Kind == AddressTokenKind.Special && Text[0] == c;

    public bool IsAnySpecial(string chars) => Kind == AddressTokenKind.Special && chars.Contains(Text[0]);
}

/// <summary>Splits an address list into atoms, quoted strings, domain literals, specials and comments.</summary>
internal static class AddressTokenizer
{
    private const string Specials = "<>@,;:.";

    public static List<AddressToken> Tokenize(string text)
    {
        var tokens = new List<AddressToken>();
        var pos = 0;
        var spaceBefore = false;
        while (pos < text.Length)
        {
            var c = text[pos];
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                spaceBefore = true;
                pos++;
                continue;
            }
            var start = pos;
            AddressToken token;
            if (c == '(')
            {
                pos = ParameterParser.SkipComment(text, pos);
                var closed = pos - 1 > start && text[pos - 1] == ')';
                var inner = text[(start + 1)..(closed ? pos - 1 : pos)];
                token = new AddressToken(AddressTokenKind.Comment, Unescape(inner), text[start..pos], spaceBefore);
                tokens.Add(token);
                spaceBefore = true;
                continue;
            }
            if (c == '"')
            {
                var value = ParameterParser.ReadQuotedString(text, ref pos);
                token = new AddressToken(AddressTokenKind.Quoted, value, text[start..pos], spaceBefore);
            }
            else if (c == '[')
            {
                var close = text.IndexOf(']', pos);
                pos = close < 0 ? text.Length : close + 1;
                token = new AddressToken(AddressTokenKind.DomainLiteral, text[start..pos], text[start..pos], spaceBefore);
            }
            else if (Specials.Contains(c))
            {
                pos++;
                token = new AddressToken(AddressTokenKind.Special, c.ToString(), c.ToString(), spaceBefore);
            }
            else
            {
                while (pos < text.Length && !IsAtomEnd(text[pos])) pos++;
                token = new AddressToken(AddressTokenKind.Atom, text[start..pos], text[start..pos], spaceBefore);
            }
            tokens.Add(token);
            spaceBefore = false;
        }
        return tokens;
    }

    private static bool IsAtomEnd(char c) => c is ' ' or '\t' or '\r' or '\n' or '(' or '"' or '[' || Specials.Contains(c);

    private static string Unescape(string text)
    {
        if (!text.Contains('\\')) return text;
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length) i++;
            builder.Append(text[i]);
        }
        return builder.ToString();
    }
}

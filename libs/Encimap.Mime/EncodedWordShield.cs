using System.Text;
using System.Text.RegularExpressions;

namespace Encimap.Mime;

/// <summary>
/// Keeps RFC 2047 encoded words as written through MimeKit's structured parsers, which decode
/// them: IMAP reports display names and parameter values undecoded (RFC 3501 §7.4.2), and
/// clients decode them. Each encoded word is replaced by a placeholder atom that no parser
/// changes, and placeholders are put back in the parsed strings.
/// </summary>
internal sealed partial class EncodedWordShield
{
    private readonly string _prefix;
    private readonly List<string> _words = [];

    private EncodedWordShield(string prefix) => _prefix = prefix;

    /// <summary>
    /// Replaces the encoded words of <paramref name="text"/>; null when it has none (then parse
    /// the text as it is).
    /// </summary>
    public static (EncodedWordShield Shield, string Text)? Hide(string text)
    {
        if (!text.Contains("=?", StringComparison.Ordinal) || !EncodedWord().IsMatch(text))
        {
            return null;
        }

        // An alphanumeric prefix that the text does not contain, so that no placeholder is ambiguous.
        var n = 0;
        string prefix;
        do
        {
            prefix = $"qEw{n++}x";
        }
        while (text.Contains(prefix, StringComparison.OrdinalIgnoreCase));

        var shield = new EncodedWordShield(prefix);
        var hidden = EncodedWord().Replace(text, match =>
        {
            shield._words.Add(match.Value);
            return $"{prefix}{shield._words.Count - 1}z";
        });
        return (shield, hidden);
    }

    /// <summary>Puts the encoded words back in a string that the parser produced from the hidden text.</summary>
    public string? Restore(string? parsed)
    {
        if (parsed is null || !parsed.Contains(_prefix, StringComparison.Ordinal))
        {
            return parsed;
        }

        var builder = new StringBuilder(parsed);
        for (var i = _words.Count - 1; i >= 0; i--)
        {
            builder.Replace($"{_prefix}{i}z", _words[i]);
        }
        return builder.ToString();
    }

    // RFC 2047 §2: =?charset?encoding?encoded-text?= (charset may carry an RFC 2231 language).
    [GeneratedRegex(@"=\?[^?\s()<>@,;:""/\[\]]+\?[BbQq]\?[^?\s]*\?=", RegexOptions.CultureInvariant)]
    private static partial Regex EncodedWord();
}

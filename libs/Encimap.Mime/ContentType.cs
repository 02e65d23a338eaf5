namespace Encimap.Mime;

/// <summary>
/// A Content-Type (RFC 2045 §5). Type and subtype are lower case; parameter names are lower case
/// and compare case-insensitively; RFC 2231 parameters are joined and decoded, other values are
/// kept as written (RFC 2047 encoded words included, as IMAP BODYSTRUCTURE reports them).
/// </summary>
public sealed record ContentType(string MediaType, string MediaSubtype, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>text/plain; charset=us-ascii: the type of an entity without Content-Type (RFC 2045 §5.2).</summary>
    public static ContentType Default { get; } = new("text", "plain",
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["charset"] = "us-ascii" });

    /// <summary>message/rfc822: the default type of a multipart/digest part (RFC 2046 §5.1.5).</summary>
    public static ContentType MessageRfc822 { get; } = new("message", "rfc822",
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));

    /// <summary>"type/subtype".</summary>
    public string MimeType => $"{MediaType}/{MediaSubtype}";

    /// <summary>The charset parameter, or null.</summary>
    public string? Charset => Parameter("charset");

    /// <summary>The boundary parameter of a multipart, or null.</summary>
    public string? Boundary => Parameter("boundary");

    /// <summary>The name parameter (an attachment's file name in older mailers), RFC 2047-decoded; or null.</summary>
    public string? Name => Parameter("name") is { } name ? EncodedWords.Decode(name) : null;

    /// <summary>Whether this is multipart/*.</summary>
    public bool IsMultipart => MediaType.Equals("multipart", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the body is a whole message: message/rfc822 or message/global (RFC 6532 §3.7).</summary>
    public bool IsEncapsulatedMessage => MediaType.Equals("message", StringComparison.OrdinalIgnoreCase)
        && (MediaSubtype.Equals("rfc822", StringComparison.OrdinalIgnoreCase) || MediaSubtype.Equals("global", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether this is <paramref name="mediaType"/>/<paramref name="mediaSubtype"/> (case-insensitive; "*" matches any subtype).</summary>
    public bool Is(string mediaType, string mediaSubtype) =>
        MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase)
        && (mediaSubtype == "*" || MediaSubtype.Equals(mediaSubtype, StringComparison.OrdinalIgnoreCase));

    /// <summary>A parameter's value, or null.</summary>
    public string? Parameter(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>
    /// Parses a Content-Type field body (unfolded, undecoded). Null when it names no readable
    /// type/subtype; callers then use <see cref="Default"/> (RFC 2045 §5.2). A missing subtype
    /// reads as text/plain or multipart/mixed for those two types.
    /// </summary>
    public static ContentType? Parse(string value)
    {
        var pos = ParameterParser.SkipWhitespaceAndComments(value, 0);
        var type = ReadToken(value, ref pos);
        pos = ParameterParser.SkipWhitespaceAndComments(value, pos);
        string subtype;
        if (pos < value.Length && value[pos] == '/')
        {
            pos = ParameterParser.SkipWhitespaceAndComments(value, pos + 1);
            subtype = ReadToken(value, ref pos);
        }
        else
        {
            subtype = type.ToLowerInvariant() switch { "text" => "plain", "multipart" => "mixed", _ => "" };
        }
        if (type.Length == 0 || subtype.Length == 0) return null;
        return new ContentType(type.ToLowerInvariant(), subtype.ToLowerInvariant(), ParameterParser.Parse(value, pos));
    }

    /// <summary>An RFC 2045 token: printable ASCII except specials and space.</summary>
    internal static string ReadToken(string text, ref int pos)
    {
        var start = pos;
        while (pos < text.Length && IsTokenChar(text[pos])) pos++;
        return text[start..pos];
    }

    private static bool IsTokenChar(char c) => c is > ' ' and < (char)127
        && "()<>@,;:\\\"/[]?=".IndexOf(c) < 0;

    /// <inheritdoc />
    public bool Equals(ContentType? other) =>
        other is not null
        && MediaType == other.MediaType
        && MediaSubtype == other.MediaSubtype
        && CollectionEquality.Equal(Parameters, other.Parameters);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(MediaType, MediaSubtype, Parameters.Count);
}

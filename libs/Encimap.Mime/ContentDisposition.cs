namespace Encimap.Mime;

/// <summary>
/// A Content-Disposition (RFC 2183). The kind is lower case; parameters as in <see cref="ContentType"/>.
/// </summary>
public sealed record ContentDisposition(string Kind, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>The filename parameter, RFC 2231 or RFC 2047 decoded; or null.</summary>
    public string? FileName => Parameters.TryGetValue("filename", out var name) ? EncodedWords.Decode(name) : null;

    /// <summary>Whether the kind is "attachment".</summary>
    public bool IsAttachment => Kind.Equals("attachment", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the kind is "inline".</summary>
    public bool IsInline => Kind.Equals("inline", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a Content-Disposition field body; null when it names no kind.</summary>
    public static ContentDisposition? Parse(string value)
    {
        var pos = ParameterParser.SkipWhitespaceAndComments(value, 0);
        var kind = ContentType.ReadToken(value, ref pos);
        if (kind.Length == 0) return null;
        return new ContentDisposition(kind.ToLowerInvariant(), ParameterParser.Parse(value, pos));
    }

    /// <inheritdoc />
    public bool Equals(ContentDisposition? other) =>
        other is not null && Kind == other.Kind && CollectionEquality.Equal(Parameters, other.Parameters);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Parameters.Count);
}

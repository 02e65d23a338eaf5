namespace Encimap.Mime;

/// <summary>
/// Bounds that keep parsing of hostile input cheap. Exceeding a bound never fails the parse: the
/// parser degrades to a best-effort structure instead (see each property).
/// </summary>
public sealed class MimeParserOptions
{
    /// <summary>The defaults: what every caller should use unless it has a measured reason not to.</summary>
    public static MimeParserOptions Default { get; } = new();

    /// <summary>
    /// Deepest nesting of multiparts and encapsulated messages that is parsed into a tree. An
    /// entity at this depth whose type would nest further (multipart/*, message/rfc822) is kept
    /// as a single text/plain leaf.
    /// </summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>
    /// Most header fields recorded per entity. Further fields stay in the raw header bytes but are
    /// not listed in <see cref="MimeEntity.Headers"/>.
    /// </summary>
    public int MaxHeaders { get; init; } = 1000;

    /// <summary>
    /// Longest header field (in bytes, folding included) whose value is decoded. A longer field
    /// keeps its raw bytes; its <see cref="HeaderField.RawValue"/> and
    /// <see cref="HeaderField.Value"/> are cut at this many bytes.
    /// </summary>
    public int MaxLineLength { get; init; } = 256 * 1024;

    /// <summary>
    /// Most entities in one message (all levels together). Once reached, further boundary
    /// delimiters are not split out: the last part absorbs the rest of its multipart.
    /// </summary>
    public int MaxParts { get; init; } = 10_000;
}

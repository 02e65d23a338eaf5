// Encimap's own RFC 5322 / MIME parser. MimeKit cannot be restored from the package registry this
// project builds against, so this library is ours; the rest of the project sees only the types in
// this namespace, so that swapping the implementation later changes one project.
//
// Principles: parse over the original bytes and never re-encode them (a stored message is served
// byte for byte); accept CRLF and bare LF line endings, with every offset referring to the original
// bytes; never throw for malformed input, bound the work hostile input can cause
// (MimeParserOptions) and return a best-effort structure instead.

namespace Encimap.Mime;

/// <summary>
/// A parsed Internet message (RFC 5322 with MIME, RFC 2045-2049): its raw bytes and the tree of
/// entities over them. Immutable and thread-safe once parsed.
/// </summary>
public sealed class MimeMessage
{
    internal MimeMessage(ReadOnlyMemory<byte> raw, int offset, MimeEntity root)
    {
        Raw = raw;
        Offset = offset;
        Root = root;
    }

    /// <summary>
    /// Parses <paramref name="raw"/>. Never throws for malformed input: a damaged message yields
    /// a best-effort structure. The bytes are not copied; keep them unchanged while the result is
    /// in use.
    /// </summary>
    public static MimeMessage Parse(ReadOnlyMemory<byte> raw, MimeParserOptions? options = null) =>
        new EntityParser(raw, options ?? MimeParserOptions.Default).ParseMessage();

    /// <summary>
    /// The bytes of this message. For the outermost message this is what was given to
    /// <see cref="Parse"/>; for an encapsulated message (message/rfc822 body) it is the body of
    /// the enclosing part, which starts at <see cref="Offset"/> in the outermost message.
    /// </summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>
    /// Where <see cref="Raw"/> starts in the outermost message: 0 for the outermost message. Entity
    /// offsets (<see cref="MimeEntity.HeaderStart"/> and friends) always count from the start of
    /// the outermost message, so that any section can be served by slicing the stored bytes.
    /// </summary>
    public int Offset { get; }

    /// <summary>The top-level entity: the message's header and body.</summary>
    public MimeEntity Root { get; }

    /// <summary>The message's header fields (the same list as <see cref="Root"/>'s).</summary>
    public HeaderList Headers => Root.Headers;

    /// <summary>The Subject, unfolded and RFC 2047-decoded; null when absent.</summary>
    public string? Subject => Headers.First("Subject")?.Value;

    /// <summary>The Date header parsed leniently (<see cref="DateParser"/>); null when absent or unreadable.</summary>
    public DateTimeOffset? Date => Headers.First("Date") is { } date ? DateParser.Parse(date.RawValue) : null;

    /// <summary>The Message-ID without its angle brackets; null when absent or unreadable.</summary>
    public string? MessageId => Headers.First("Message-ID") is { } id ? MessageIdParser.Parse(id.RawValue) : null;

    /// <summary>
    /// The entity an IMAP section part number names (RFC 3501 §6.4.5): "1", "2.1", "3.1.2"; the
    /// empty string names <see cref="Root"/>. Null when no such part exists. A part number that
    /// descends into a message/rfc822 part addresses the encapsulated message's body.
    /// </summary>
    public MimeEntity? FindPart(string partNumber) => SectionPath.Find(Root, partNumber);
}

namespace Encimap.Mime;

/// <summary>
/// One MIME entity: the message itself, a child of a multipart, or the top of an encapsulated
/// message. Offsets count from the start of the outermost message's raw bytes.
/// </summary>
public sealed class MimeEntity
{
    private readonly ReadOnlyMemory<byte> _source;

    internal MimeEntity(ReadOnlyMemory<byte> source, HeaderList headers, ContentType contentType,
        int headerStart, int headerLength, int bodyStart, int bodyLength)
    {
        _source = source;
        Headers = headers;
        ContentType = contentType;
        HeaderStart = headerStart;
        HeaderLength = headerLength;
        BodyStart = bodyStart;
        BodyLength = bodyLength;
        Disposition = headers.First("Content-Disposition") is { } disposition
            ? ContentDisposition.Parse(disposition.RawValue)
            : null;
        TransferEncoding = headers.First("Content-Transfer-Encoding") is { } encoding
            ? NormalizeTransferEncoding(encoding.RawValue)
            : "7bit";
    }

    /// <summary>The entity's header fields.</summary>
    public HeaderList Headers { get; }

    /// <summary>
    /// The effective content type: text/plain; charset=us-ascii when the header is absent or
    /// unreadable (RFC 2045 §5.2), message/rfc822 for a child of multipart/digest without one
    /// (RFC 2046 §5.1.5), and text/plain for a multipart without a usable boundary or beyond the
    /// nesting limit.
    /// </summary>
    public ContentType ContentType { get; internal set; }

    /// <summary>The Content-Disposition (RFC 2183), or null when absent or unreadable.</summary>
    public ContentDisposition? Disposition { get; }

    /// <summary>The Content-Transfer-Encoding in lower case, "7bit" when absent (RFC 2045 §6.1).</summary>
    public string TransferEncoding { get; }

    /// <summary>The parts of a multipart, in order; empty for every other entity.</summary>
    public IReadOnlyList<MimeEntity> Children { get; internal set; } = [];

    /// <summary>The message carried in the body of a message/rfc822 (or message/global) entity.</summary>
    public MimeMessage? EncapsulatedMessage { get; internal set; }

    /// <summary>Nesting depth: 0 for the outermost message's root.</summary>
    public int Depth { get; internal init; }

    /// <summary>Where the header starts.</summary>
    public int HeaderStart { get; }

    /// <summary>
    /// Length of the header including the empty line that ends it (what IMAP returns for
    /// BODY[HEADER] and BODY[n.MIME]).
    /// </summary>
    public int HeaderLength { get; }

    /// <summary>Where the body starts.</summary>
    public int BodyStart { get; }

    /// <summary>
    /// Length of the body in octets. In a multipart the line break before a boundary delimiter
    /// belongs to the delimiter (RFC 2046 §5.1.1), so it is not part of the body.
    /// </summary>
    public int BodyLength { get; }

    /// <summary>For a multipart: where the preamble starts and how long it is (0 when none).</summary>
    public (int Start, int Length) Preamble { get; internal set; }

    /// <summary>For a multipart: where the epilogue starts and how long it is (0 when none).</summary>
    public (int Start, int Length) Epilogue { get; internal set; }

    /// <summary>The header bytes exactly as in the message.</summary>
    public ReadOnlyMemory<byte> RawHeader => _source.Slice(HeaderStart, HeaderLength);

    /// <summary>The body bytes exactly as in the message (still transfer-encoded).</summary>
    public ReadOnlyMemory<byte> RawBody => _source.Slice(BodyStart, BodyLength);

    /// <summary>Whether the entity has been parsed as a multipart (it has children).</summary>
    public bool IsMultipart => Children.Count > 0;

    /// <summary>The body with its Content-Transfer-Encoding undone (base64, quoted-printable; others as is).</summary>
    public byte[] DecodeBody() => TransferDecoder.Decode(TransferEncoding, RawBody.Span);

    /// <summary>
    /// The decoded body as text in its declared charset; an unknown or absent charset reads as
    /// UTF-8 when the bytes are valid UTF-8, windows-1252 otherwise.
    /// </summary>
    public string DecodeText() => Charsets.DecodeText(DecodeBody(), ContentType.Charset);

    private static string NormalizeTransferEncoding(string value)
    {
        var token = value.Trim();
        var end = token.IndexOfAny([' ', '\t', '(', ';']);
        if (end >= 0) token = token[..end];
        return token.Length == 0 ? "7bit" : token.ToLowerInvariant();
    }
}

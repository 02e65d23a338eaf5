namespace Encimap.Mime;

/// <summary>
/// The IMAP BODYSTRUCTURE of an entity (RFC 3501 §7.4.2), recursively, built from MimeKit's
/// parse (<see cref="Parse"/>), plus the entity's byte
/// offsets in the outermost message so that BODY[section] can be served from the stored bytes
/// without parsing again: BODY[n] is the body range, BODY[n.MIME] the header range, and for a
/// message/rfc822 part BODY[n.HEADER] / BODY[n.TEXT] are <see cref="Message"/>'s ranges.
/// </summary>
/// <param name="Type">Media type, lower case ("multipart" for a multipart).</param>
/// <param name="Subtype">Media subtype, lower case.</param>
/// <param name="Parameters">Content-Type parameters (text/* without any gets charset=us-ascii, as IMAP servers report).</param>
/// <param name="Id">Content-ID as written, or null.</param>
/// <param name="Description">Content-Description as written (RFC 2047 words kept), or null.</param>
/// <param name="Encoding">Content-Transfer-Encoding in lower case ("7bit" when absent).</param>
/// <param name="Size">Size of the body in octets, as stored.</param>
/// <param name="Lines">Lines of the body for text/* and message/rfc822; null otherwise.</param>
/// <param name="Md5">Content-MD5 as written, or null.</param>
/// <param name="Disposition">Content-Disposition, or null.</param>
/// <param name="Language">Content-Language tags, or null when absent.</param>
/// <param name="Location">Content-Location as written, or null.</param>
/// <param name="Children">The parts of a multipart; empty otherwise.</param>
/// <param name="Envelope">For message/rfc822 (and message/global): the encapsulated message's envelope.</param>
/// <param name="Message">For message/rfc822 (and message/global): the encapsulated message's body structure.</param>
/// <param name="HeaderStart">Offset of the entity's header in the outermost message.</param>
/// <param name="HeaderLength">Length of the header including its ending empty line.</param>
/// <param name="BodyStart">Offset of the body in the outermost message.</param>
/// <param name="BodyLength">Length of the body.</param>
public sealed record BodyStructure(
    string Type,
    string Subtype,
    IReadOnlyDictionary<string, string> Parameters,
    string? Id,
    string? Description,
    string Encoding,
    int Size,
    int? Lines,
    string? Md5,
    ContentDisposition? Disposition,
    IReadOnlyList<string>? Language,
    string? Location,
    IReadOnlyList<BodyStructure> Children,
    Envelope? Envelope,
    BodyStructure? Message,
    int HeaderStart,
    int HeaderLength,
    int BodyStart,
    int BodyLength)
{
    /// <summary>Whether this is a multipart with children.</summary>
    public bool IsMultipart => Children.Count > 0;

    /// <summary>
    /// Parses <paramref name="message"/> with MimeKit into its body structure, offsets included.
    /// Never throws for malformed input: what MimeKit cannot read as a header is the body of a
    /// text/plain message, a multipart without parts is reported as text/plain.
    /// </summary>
    public static BodyStructure Parse(ReadOnlyMemory<byte> message) => BodyStructureReader.Read(message);

    /// <summary>
    /// The part an IMAP section part number names (RFC 3501 §6.4.5: "1", "2.1"; "" is this
    /// structure): the one place where sections are resolved. A part number that descends into
    /// a message/rfc822 part addresses the encapsulated message's body. Null when there is no such part.
    /// </summary>
    public BodyStructure? FindPart(string partNumber) => SectionPath.Find(this, partNumber);

    /// <summary>
    /// Lines as IMAP counts them: line breaks, plus one for a last line without a break. The
    /// break before a boundary delimiter is not part of a body, so a part's last line has none.
    /// </summary>
    internal static int CountLines(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return 0;
        var lines = body.Count((byte)'\n');
        return body[^1] == (byte)'\n' ? lines : lines + 1;
    }

    private static IReadOnlyList<string>? ParseLanguages(string value)
    {
        var tags = value.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return tags.Length == 0 ? null : tags;
    }

    /// <inheritdoc />
    public bool Equals(BodyStructure? other) =>
        other is not null
        && Type == other.Type && Subtype == other.Subtype
        && CollectionEquality.Equal(Parameters, other.Parameters)
        && Id == other.Id && Description == other.Description && Encoding == other.Encoding
        && Size == other.Size && Lines == other.Lines && Md5 == other.Md5
        && Equals(Disposition, other.Disposition)
        && CollectionEquality.Equal(Language, other.Language)
        && Location == other.Location
        && CollectionEquality.Equal(Children, other.Children)
        && Equals(Envelope, other.Envelope) && Equals(Message, other.Message)
        && HeaderStart == other.HeaderStart && HeaderLength == other.HeaderLength
        && BodyStart == other.BodyStart && BodyLength == other.BodyLength;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, Subtype, Size, HeaderStart, BodyStart, Children.Count);
}

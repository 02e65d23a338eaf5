using Encimap.Mime;

namespace Encimap.Imap.Protocol;

/// <summary>
/// The bytes of a BODY[section] or BINARY[part] (RFC 3501 §6.4.5, RFC 3516) of one message: the
/// one place sections are resolved, for every backend. Part sections are slices of the content at
/// the offsets of the message's MIME structure (as stored at delivery, or parsed here).
/// </summary>
internal static class SectionResolver
{
    /// <summary>BODY[section]; null for NIL (what the message does not have).</summary>
    public static ReadOnlyMemory<byte>? Section(FetchedMessage m, BodySection section)
    {
        if (section.Part.Count > 0)
        {
            return PartSection(m, section) ?? ReadOnlyMemory<byte>.Empty;
        }

        return section.Specifier switch
        {
            SectionSpecifier.None => m.Content,
            SectionSpecifier.Header => HeaderOf(m),
            SectionSpecifier.Text => TextOf(m),
            SectionSpecifier.HeaderFields or SectionSpecifier.HeaderFieldsNot when HeaderOf(m) is { } header =>
                HeaderBlock.Select(header.Span, section.Fields ?? EquatableList<string>.Empty, section.Specifier == SectionSpecifier.HeaderFieldsNot),
            _ => null,
        };
    }

    /// <summary>BINARY[part]: the part's content with its transfer encoding undone; null when there is no such single part.</summary>
    public static ReadOnlyMemory<byte>? Binary(FetchedMessage m, BodySection section)
    {
        if (section.Part.Count == 0)
        {
            return m.Content;
        }

        if (m.Content is not { } content || m.StructureWithOffsets() is not { } root)
        {
            return null;
        }

        var part = root.FindPart(string.Join('.', section.Part));
        return part is null || part.IsMultipart ? null : TransferDecoding.Decode(part.Encoding, content.Slice(part.BodyStart, part.BodyLength));
    }

    public static ReadOnlyMemory<byte>? HeaderOf(FetchedMessage m)
    {
        if (m.Header is { } header)
        {
            return header;
        }

        return m.Content is { } content ? content[..HeaderBlock.Length(content.Span)] : null;
    }

    public static ReadOnlyMemory<byte>? TextOf(FetchedMessage m) =>
        m.Content is { } content ? content[HeaderBlock.Length(content.Span)..] : null;

    /// <summary>
    /// BODY[1], BODY[1.MIME], BODY[2.HEADER]...: BODY[n] is the part's body, BODY[n.MIME] its
    /// header; HEADER, TEXT and HEADER.FIELDS apply only to a message/rfc822 part.
    /// </summary>
    private static ReadOnlyMemory<byte>? PartSection(FetchedMessage m, BodySection section)
    {
        if (m.Content is not { } content || m.StructureWithOffsets() is not { } root)
        {
            return null;
        }

        var part = root.FindPart(string.Join('.', section.Part));
        if (part is null)
        {
            return null;
        }

        var isMessage = part.Message is not null;
        switch (section.Specifier)
        {
            case SectionSpecifier.None:
                return content.Slice(part.BodyStart, part.BodyLength);
            case SectionSpecifier.Mime:
                return content.Slice(part.HeaderStart, part.HeaderLength);
            case SectionSpecifier.Header when isMessage:
                return content.Slice(part.Message!.HeaderStart, part.Message.HeaderLength);
            case SectionSpecifier.Text when isMessage:
                return content.Slice(part.Message!.BodyStart, part.Message.BodyLength);
            case SectionSpecifier.HeaderFields or SectionSpecifier.HeaderFieldsNot when isMessage:
                return HeaderBlock.Select(content.Span.Slice(part.Message!.HeaderStart, part.Message.HeaderLength),
                    section.Fields ?? EquatableList<string>.Empty, section.Specifier == SectionSpecifier.HeaderFieldsNot);
            default:
                return null;
        }
    }
}

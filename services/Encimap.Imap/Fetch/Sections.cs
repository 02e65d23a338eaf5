using Encimap.Imap.Protocol;
using Encimap.Mime;

namespace Encimap.Imap;

/// <summary>BODY[part…] and BINARY[part] of a stored message, from the offsets in its body structure.</summary>
public static class Sections
{
    public static ReadOnlyMemory<byte>? Resolve(ReadOnlyMemory<byte> content, BodyStructure root, BodySection section)
    {
        var part = root.FindPart(string.Join('.', section.Part));
        if (part is null)
        {
            return null;
        }

        var isMessage = part.Message is not null;
        var header = content.Slice(part.HeaderStart, part.HeaderLength);
        var body = content.Slice(part.BodyStart, part.BodyLength);
        switch (section.Specifier)
        {
            case SectionSpecifier.None:
                return body;
            case SectionSpecifier.Mime:
                return header;
            case SectionSpecifier.Header when isMessage:
                return content.Slice(part.Message!.HeaderStart, part.Message.HeaderLength);
            case SectionSpecifier.Text when isMessage:
                return content.Slice(part.Message!.BodyStart, part.Message.BodyLength);
            case SectionSpecifier.HeaderFields or SectionSpecifier.HeaderFieldsNot when isMessage:
                return HeaderBlock.Select(content.Span.Slice(part.Message!.HeaderStart, part.Message.HeaderLength), section.Fields ?? EquatableList<string>.Empty,
                    section.Specifier == SectionSpecifier.HeaderFieldsNot);
            default:
                return null;
        }
    }

    public static ReadOnlyMemory<byte>? Decode(ReadOnlyMemory<byte> content, EquatableList<int> part)
    {
        var entity = MimeMessage.Parse(content).FindPart(string.Join('.', part));
        return entity is null || entity.IsMultipart ? null : entity.DecodeBody();
    }
}

namespace Encimap.Imap.Protocol;

public enum FetchAttribute
{
    Uid,
    Flags,
    InternalDate,
    Rfc822Size,
    Envelope,
    BodyStructure,
    /// <summary>BODY without a section: the non-extensible body structure.</summary>
    Body,
    ModSeq,
    /// <summary>BODY[section]&lt;partial&gt; and BODY.PEEK[...].</summary>
    BodySection,
    /// <summary>BINARY[part] and BINARY.PEEK[part] (RFC 3516).</summary>
    Binary,
    BinarySize,
    /// <summary>RFC822: BODY[] answered under the name RFC822 (sets \Seen).</summary>
    Rfc822,
    /// <summary>RFC822.HEADER: BODY.PEEK[HEADER].</summary>
    Rfc822Header,
    /// <summary>RFC822.TEXT: BODY[TEXT] (sets \Seen).</summary>
    Rfc822Text,
}

public enum SectionSpecifier
{
    /// <summary>The whole part (or the whole message when the part path is empty).</summary>
    None,
    Header,
    HeaderFields,
    HeaderFieldsNot,
    Text,
    Mime,
}

/// <summary>A body section: part path (empty for the message) and specifier.</summary>
public sealed record BodySection(EquatableList<int> Part, SectionSpecifier Specifier = SectionSpecifier.None, EquatableList<string>? Fields = null)
{
    public static BodySection Whole { get; } = new([]);

    /// <summary>The section text as it appears in the response (<c>1.2.HEADER.FIELDS (FROM TO)</c>).</summary>
    public string Format()
    {
        var parts = string.Join('.', Part);
        var specifier = Specifier switch
        {
            SectionSpecifier.Header => "HEADER",
            SectionSpecifier.HeaderFields => "HEADER.FIELDS (" + string.Join(' ', Fields ?? EquatableList<string>.Empty) + ")",
            SectionSpecifier.HeaderFieldsNot => "HEADER.FIELDS.NOT (" + string.Join(' ', Fields ?? EquatableList<string>.Empty) + ")",
            SectionSpecifier.Text => "TEXT",
            SectionSpecifier.Mime => "MIME",
            _ => "",
        };
        return parts.Length > 0 && specifier.Length > 0 ? parts + "." + specifier : parts + specifier;
    }
}

/// <summary><c>&lt;offset.count&gt;</c> of a section fetch.</summary>
public readonly record struct Partial(long Offset, long Count);

/// <summary>One FETCH data item the client asked for.</summary>
public sealed record FetchItem(FetchAttribute Attribute, BodySection? Section = null, bool Peek = false, Partial? Partial = null)
{
    public static FetchItem Uid { get; } = new(FetchAttribute.Uid);
    public static FetchItem Flags { get; } = new(FetchAttribute.Flags);
    public static FetchItem InternalDate { get; } = new(FetchAttribute.InternalDate);
    public static FetchItem Rfc822Size { get; } = new(FetchAttribute.Rfc822Size);
    public static FetchItem Envelope { get; } = new(FetchAttribute.Envelope);
    public static FetchItem BodyStructure { get; } = new(FetchAttribute.BodyStructure);
    public static FetchItem Body { get; } = new(FetchAttribute.Body);
    public static FetchItem ModSeq { get; } = new(FetchAttribute.ModSeq);

    /// <summary>Whether fetching this item sets \Seen (RFC 3501 §6.4.5).</summary>
    public bool SetsSeen => Attribute switch
    {
        FetchAttribute.BodySection or FetchAttribute.Binary => !Peek,
        FetchAttribute.Rfc822 or FetchAttribute.Rfc822Text => true,
        _ => false,
    };

    /// <summary>Whether answering needs the message content beyond its header.</summary>
    public bool NeedsBody => Attribute switch
    {
        FetchAttribute.Rfc822 or FetchAttribute.Rfc822Text or FetchAttribute.Binary or FetchAttribute.BinarySize => true,
        FetchAttribute.BodySection => Section!.Part.Count > 0 || Section.Specifier is SectionSpecifier.None or SectionSpecifier.Text,
        _ => false,
    };

    /// <summary>Whether answering needs the message header (and nothing else of the content).</summary>
    public bool NeedsHeader => Attribute is FetchAttribute.Rfc822Header ||
        (Attribute is FetchAttribute.BodySection && Section!.Part.Count == 0 &&
         Section.Specifier is SectionSpecifier.Header or SectionSpecifier.HeaderFields or SectionSpecifier.HeaderFieldsNot);
}

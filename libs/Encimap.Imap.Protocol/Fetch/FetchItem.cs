namespace Encimap.Imap.Protocol;

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

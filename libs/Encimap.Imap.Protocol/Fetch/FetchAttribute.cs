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

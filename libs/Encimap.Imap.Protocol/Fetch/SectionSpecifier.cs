namespace Encimap.Imap.Protocol;

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

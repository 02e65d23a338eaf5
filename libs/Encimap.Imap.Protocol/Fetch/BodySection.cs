namespace Encimap.Imap.Protocol;

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

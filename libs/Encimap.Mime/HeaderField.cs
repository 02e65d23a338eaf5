namespace Encimap.Mime;

/// <summary>
/// One header field (RFC 5322 §2.2). The raw bytes are kept; the unfolded and decoded forms are
/// computed on first use.
/// </summary>
public sealed class HeaderField
{
    private readonly int _valueOffset;
    private readonly int _maxValueLength;
    private string? _rawValue;
    private string? _value;

    internal HeaderField(string name, ReadOnlyMemory<byte> rawField, int valueOffset, int maxValueLength)
    {
        Name = name;
        RawField = rawField;
        _valueOffset = valueOffset;
        _maxValueLength = maxValueLength;
    }

    /// <summary>The field name as written (ASCII; compare case-insensitively).</summary>
    public string Name { get; }

    /// <summary>
    /// "Name: value" exactly as in the message, folding included, without the final line break.
    /// </summary>
    public ReadOnlyMemory<byte> RawField { get; }

    /// <summary>
    /// The field body unfolded (RFC 5322 §2.2.3) and trimmed, still RFC 2047-encoded: what IMAP
    /// ENVELOPE carries, and what structured parsers (<see cref="AddressParser"/>,
    /// <see cref="DateParser"/>, <see cref="ContentType.Parse"/>) should be given. Bytes are read
    /// as UTF-8 (RFC 6532), or as windows-1252 when they are not valid UTF-8.
    /// </summary>
    public string RawValue => _rawValue ??= HeaderText.Unfold(RawField.Span[_valueOffset..], _maxValueLength);

    /// <summary>The field body unfolded and RFC 2047-decoded: text for display.</summary>
    public string Value => _value ??= EncodedWords.Decode(RawValue);

    /// <summary>Whether this field is named <paramref name="name"/> (case-insensitive).</summary>
    public bool Is(string name) => string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Value}";
}

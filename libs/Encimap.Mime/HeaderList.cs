using System.Collections;

namespace Encimap.Mime;

/// <summary>The header fields of one entity, in message order. Names compare case-insensitively.</summary>
public sealed class HeaderList : IReadOnlyList<HeaderField>
{
    private readonly IReadOnlyList<HeaderField> _fields;

    internal HeaderList(IReadOnlyList<HeaderField> fields) => _fields = fields;

    /// <summary>An empty list.</summary>
    public static HeaderList Empty { get; } = new([]);

    /// <inheritdoc />
    public HeaderField this[int index] => _fields[index];

    /// <inheritdoc />
    public int Count => _fields.Count;

    /// <summary>The first field named <paramref name="name"/>, or null.</summary>
    public HeaderField? First(string name)
    {
        foreach (var field in _fields)
        {
            if (field.Is(name)) return field;
        }
        return null;
    }

    /// <summary>Every field named <paramref name="name"/>, in message order.</summary>
    public IEnumerable<HeaderField> All(string name) => _fields.Where(field => field.Is(name));

    /// <summary>Whether a field named <paramref name="name"/> is present.</summary>
    public bool Contains(string name) => First(name) is not null;

    /// <inheritdoc />
    public IEnumerator<HeaderField> GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

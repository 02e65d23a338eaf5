namespace Encimap.Mime;

/// <summary>
/// A Content-Disposition (RFC 2183) as BODYSTRUCTURE reports it: the kind in lower case,
/// parameters as in <see cref="BodyStructure.Parameters"/>.
/// </summary>
public sealed record ContentDisposition(string Kind, IReadOnlyDictionary<string, string> Parameters)
{
    /// <inheritdoc />
    public bool Equals(ContentDisposition? other) =>
        other is not null && Kind == other.Kind && CollectionEquality.Equal(Parameters, other.Parameters);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Parameters.Count);
}

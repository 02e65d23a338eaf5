namespace Encimap.Imap.Protocol;

/// <summary>
/// What a backend loaded for one message, for <see cref="FetchWriter"/> to answer the requested
/// items from. Only what the items need has to be set.
/// </summary>
public sealed class FetchedMessage
{
    public uint Uid { get; init; }

    public IReadOnlyList<string> Flags { get; set; } = [];

    public ulong ModSeq { get; init; }

    public DateTimeOffset InternalDate { get; init; }

    public long Size { get; init; }

    public ImapEnvelope? Envelope { get; init; }

    public ImapBodyPart? BodyStructure { get; init; }

    /// <summary>ENVELOPE already in wire syntax (<see cref="ImapMetadataWire"/>); preferred over <see cref="Envelope"/>.</summary>
    public ReadOnlyMemory<byte>? EnvelopeWire { get; init; }

    /// <summary>BODYSTRUCTURE already in wire syntax (<see cref="ImapMetadataWire"/>); preferred over <see cref="BodyStructure"/> for BODYSTRUCTURE (not for BODY).</summary>
    public ReadOnlyMemory<byte>? BodyStructureWire { get; init; }

    /// <summary>The whole message, when an item needs more than the header.</summary>
    public ReadOnlyMemory<byte>? Content { get; init; }

    /// <summary>The header block (through the empty line), when only the header is needed.</summary>
    public ReadOnlyMemory<byte>? Header { get; init; }

    /// <summary>
    /// The MIME structure of <see cref="Content"/> with the byte offsets of its parts, as stored at
    /// delivery: sections with a part number (<c>1</c>, <c>1.MIME</c>, <c>2.HEADER</c>) are slices
    /// of the content at those offsets. When null, the content is parsed for them.
    /// </summary>
    public Mime.BodyStructure? Structure { get; init; }

    private Mime.BodyStructure? _parsedStructure;

    /// <summary><see cref="Structure"/>, or the structure of <see cref="Content"/> parsed once.</summary>
    internal Mime.BodyStructure? StructureWithOffsets() =>
        Structure ?? _parsedStructure ?? (Content is { } content ? _parsedStructure = Mime.BodyStructure.Parse(content) : null);
}

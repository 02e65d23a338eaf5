namespace Encimap.Imap.Protocol;

/// <summary>An address of an ENVELOPE (RFC 3501 §7.4.2): a group start has no host, a group end nothing.</summary>
public sealed record ImapAddress(string? Name, string? Route, string? Mailbox, string? Host);

/// <summary>The ENVELOPE of a message, field values as they appear in the header.</summary>
public sealed record ImapEnvelope(
    string? Date,
    string? Subject,
    IReadOnlyList<ImapAddress> From,
    IReadOnlyList<ImapAddress> Sender,
    IReadOnlyList<ImapAddress> ReplyTo,
    IReadOnlyList<ImapAddress> To,
    IReadOnlyList<ImapAddress> Cc,
    IReadOnlyList<ImapAddress> Bcc,
    string? InReplyTo,
    string? MessageId);

/// <summary>A Content-Disposition of a body part.</summary>
public sealed record ImapDisposition(string Type, IReadOnlyList<KeyValuePair<string, string>> Parameters);

/// <summary>A node of BODYSTRUCTURE: a multipart (with <see cref="Parts"/>) or a single part.</summary>
public sealed record ImapBodyPart
{
    public required string Type { get; init; }

    public required string Subtype { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; } = [];

    /// <summary>Children of a multipart; empty for a single part.</summary>
    public IReadOnlyList<ImapBodyPart> Parts { get; init; } = [];

    public string? Id { get; init; }

    public string? Description { get; init; }

    public string Encoding { get; init; } = "7BIT";

    public long Size { get; init; }

    /// <summary>Lines of a text/* or message/rfc822 part.</summary>
    public long Lines { get; init; }

    public string? Md5 { get; init; }

    public ImapDisposition? Disposition { get; init; }

    public IReadOnlyList<string>? Language { get; init; }

    public string? Location { get; init; }

    /// <summary>message/rfc822: the encapsulated message's envelope and structure.</summary>
    public ImapEnvelope? MessageEnvelope { get; init; }

    public ImapBodyPart? MessageBody { get; init; }

    public bool IsMultipart => Type.Equals("multipart", StringComparison.OrdinalIgnoreCase);
}

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

    /// <summary>The whole message, when an item needs more than the header.</summary>
    public ReadOnlyMemory<byte>? Content { get; init; }

    /// <summary>The header block (through the empty line), when only the header is needed.</summary>
    public ReadOnlyMemory<byte>? Header { get; init; }

    /// <summary>Resolves sections with a part number (<c>1</c>, <c>1.MIME</c>, <c>2.HEADER</c>); null: the part does not exist.</summary>
    public Func<BodySection, ReadOnlyMemory<byte>?>? PartResolver { get; init; }

    /// <summary>Decoded content of a part for BINARY (part number → bytes); null: not available.</summary>
    public Func<EquatableList<int>, ReadOnlyMemory<byte>?>? BinaryResolver { get; init; }
}

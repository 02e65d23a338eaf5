namespace Encimap.Imap.Protocol;

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

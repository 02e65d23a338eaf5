namespace Encimap.Imap.Protocol;

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

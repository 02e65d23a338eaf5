namespace Encimap.Imap.Protocol;

/// <summary>An address of an ENVELOPE (RFC 3501 §7.4.2): a group start has no host, a group end nothing.</summary>
public sealed record ImapAddress(string? Name, string? Route, string? Mailbox, string? Host);

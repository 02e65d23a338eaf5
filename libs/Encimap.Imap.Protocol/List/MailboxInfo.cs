namespace Encimap.Imap.Protocol;

/// <summary>A mailbox of the authenticated user, for LIST/LSUB (the protocol side matches patterns).</summary>
public sealed record MailboxInfo(string Name, string? SpecialUse, bool Subscribed);

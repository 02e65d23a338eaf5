namespace Encimap.Imap.Protocol;

/// <summary>
/// A mailbox of the authenticated user, or (<paramref name="Exists"/> false) a name subscribed to
/// whose mailbox no longer exists, for LIST/LSUB (the protocol side matches patterns).
/// </summary>
public sealed record MailboxInfo(string Name, string? SpecialUse, bool Subscribed, bool Exists = true);

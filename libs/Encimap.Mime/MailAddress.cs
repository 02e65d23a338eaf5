namespace Encimap.Mime;

/// <summary>
/// One address as IMAP's ENVELOPE carries it (RFC 3501 §7.4.2): display name, source route,
/// mailbox (local part) and host. Groups (RFC 5322 §3.4) are bracketed in the list: the start is
/// (null, null, group name, null) — Host null — and the end is all nulls (Mailbox and Host null).
/// </summary>
/// <param name="Name">The display name as written, quoting undone but RFC 2047 words kept.</param>
/// <param name="Route">An obsolete source route ("@a,@b"), or null.</param>
/// <param name="Mailbox">The local part (a quoted local part keeps its quotes), or the group name at a group start.</param>
/// <param name="Host">The domain; empty when the address has none; null only in group markers.</param>
public sealed record MailAddress(string? Name, string? Route, string? Mailbox, string? Host)
{
    /// <summary>Whether this entry starts a group.</summary>
    public bool IsGroupStart => Host is null && Mailbox is not null;

    /// <summary>Whether this entry ends a group.</summary>
    public bool IsGroupEnd => Host is null && Mailbox is null;

    /// <summary>"mailbox@host" for an address; null for group markers.</summary>
    public string? Address => Host is null ? null : Host.Length == 0 ? Mailbox : $"{Mailbox}@{Host}";

    /// <summary>A group-start marker.</summary>
    public static MailAddress GroupStart(string name) => new(null, null, name, null);

    /// <summary>The group-end marker.</summary>
    public static MailAddress GroupEnd { get; } = new(null, null, null, null);
}

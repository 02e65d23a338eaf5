namespace Encimap.Imap.Protocol;

/// <summary>CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE: one mailbox name as sent (see <see cref="MailboxName"/>).</summary>
public sealed record MailboxArguments(string Mailbox) : CommandArguments;

namespace Encimap.Imap.Protocol;

/// <summary>STATUS; items upper-case (MESSAGES, RECENT, UIDNEXT, UIDVALIDITY, UNSEEN, HIGHESTMODSEQ, SIZE).</summary>
public sealed record StatusArguments(string Mailbox, EquatableList<string> Items) : CommandArguments;

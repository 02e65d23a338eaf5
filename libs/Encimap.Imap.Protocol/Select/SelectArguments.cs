namespace Encimap.Imap.Protocol;

/// <summary>SELECT and EXAMINE, with the CONDSTORE select parameter.</summary>
public sealed record SelectArguments(string Mailbox, bool CondStore = false) : CommandArguments;

namespace Encimap.Imap.Protocol;

/// <summary>SELECT and EXAMINE, with the CONDSTORE and QRESYNC select parameters (RFC 7162).</summary>
public sealed record SelectArguments(string Mailbox, bool CondStore = false, QresyncParameters? Qresync = null) : CommandArguments;

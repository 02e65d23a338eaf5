namespace Encimap.Imap.Protocol;

/// <summary>COPY and MOVE (and their UID forms).</summary>
public sealed record CopyArguments(SequenceSet Set, string Mailbox) : CommandArguments;

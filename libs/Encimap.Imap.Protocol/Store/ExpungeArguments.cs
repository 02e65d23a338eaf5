namespace Encimap.Imap.Protocol;

/// <summary>UID EXPUNGE (UIDPLUS).</summary>
public sealed record ExpungeArguments(SequenceSet UidSet) : CommandArguments;

namespace Encimap.Imap.Protocol;

/// <summary>A sequence set (message numbers) or UID set.</summary>
public sealed record SearchSet(SequenceSet Set, bool Uid) : SearchKey;

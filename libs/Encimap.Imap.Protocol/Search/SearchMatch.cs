namespace Encimap.Imap.Protocol;

public sealed record SearchMatch(uint Uid, ulong ModSeq);

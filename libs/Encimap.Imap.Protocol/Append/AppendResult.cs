namespace Encimap.Imap.Protocol;

public sealed record AppendResult(uint UidValidity, uint Uid);

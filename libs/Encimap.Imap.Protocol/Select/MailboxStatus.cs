namespace Encimap.Imap.Protocol;

public sealed record MailboxStatus(uint Messages, uint UidNext, uint UidValidity, uint Unseen, ulong HighestModSeq, long Size, uint Deleted);

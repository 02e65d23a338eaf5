namespace Encimap.Imap.Protocol;

/// <param name="Recent">Messages no session has been told of yet: they are \Recent for the next one that is.</param>
public sealed record MailboxStatus(uint Messages, uint UidNext, uint UidValidity, uint Unseen, ulong HighestModSeq, long Size, uint Deleted, uint Recent);

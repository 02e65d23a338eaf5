namespace Encimap.Imap.Protocol;

public sealed record SelectData(
    uint UidValidity,
    uint UidNext,
    IReadOnlyList<uint> Uids,
    ulong HighestModSeq,
    IReadOnlyList<string> Keywords,
    uint? FirstUnseenUid);

namespace Encimap.Imap.Protocol;

/// <summary>What SELECT and EXAMINE tell of a mailbox.</summary>
/// <param name="Keywords">The keywords in use in the mailbox (FLAGS, PERMANENTFLAGS).</param>
/// <param name="Recent">The UIDs that are \Recent for this session (RFC 3501 §2.3.2).</param>
public sealed record SelectData(
    uint UidValidity,
    uint UidNext,
    IReadOnlyList<uint> Uids,
    ulong HighestModSeq,
    IReadOnlyList<string> Keywords,
    uint? FirstUnseenUid,
    IReadOnlyCollection<uint> Recent);

namespace Encimap.Imap.Protocol;

/// <summary>
/// Where a backend reports what changed in the selected mailbox since this session last looked
/// (new messages, expunges, flag changes). The protocol side turns them into EXISTS, EXPUNGE and
/// FETCH responses at the moments RFC 3501 allows.
/// </summary>
public interface IUpdateSink
{
    /// <summary>New messages; those in <paramref name="recent"/> are \Recent for this session (RFC 3501 §2.3.2).</summary>
    void Exists(IReadOnlyList<uint> newUids, IReadOnlyCollection<uint> recent);

    void Expunged(IReadOnlyList<uint> uids);

    void FlagsChanged(FlagUpdate update);

    /// <summary>
    /// Every change up to this mod-sequence has now been reported: the HIGHESTMODSEQ the session
    /// may tell its client (RFC 7162).
    /// </summary>
    void HighestModSeqReached(ulong highestModSeq);

    /// <summary>Sends what was written (IDLE).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}

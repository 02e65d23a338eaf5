namespace Encimap.Imap.Protocol;

/// <summary>QRESYNC (RFC 7162 §3.2), optional: which messages a client that was away missed the expunge of.</summary>
public interface IImapQresyncSession
{
    /// <summary>
    /// The UIDs within <paramref name="uids"/> expunged from the selected mailbox with a
    /// mod-sequence above <paramref name="sinceModSeq"/>, ascending.
    /// </summary>
    Task<IReadOnlyList<uint>> VanishedAsync(IReadOnlyList<UidRange> uids, ulong sinceModSeq, CancellationToken cancellationToken);
}

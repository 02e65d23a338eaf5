namespace Encimap.Imap.Protocol;

/// <summary>MOVE (RFC 6851), optional.</summary>
public interface IImapMoveSession
{
    /// <summary>Moves the messages; the source UIDs of the result are the ones expunged from the selected mailbox.</summary>
    Task<CopyResult> MoveAsync(IReadOnlyList<UidRange> uids, string destination, CancellationToken cancellationToken);
}

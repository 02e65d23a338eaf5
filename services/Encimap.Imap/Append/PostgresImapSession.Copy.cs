using Encimap.Imap.Protocol;

namespace Encimap.Imap;

// COPY and MOVE.
public sealed partial class PostgresImapSession
{
    public Task<CopyResult> CopyAsync(IReadOnlyList<UidRange> uids, string destination, CancellationToken cancellationToken) =>
        TransferAsync(uids, destination, move: false, cancellationToken);

    public Task<CopyResult> MoveAsync(IReadOnlyList<UidRange> uids, string destination, CancellationToken cancellationToken) =>
        TransferAsync(uids, destination, move: true, cancellationToken);

    private async Task<CopyResult> TransferAsync(IReadOnlyList<UidRange> uids, string destination, bool move, CancellationToken cancellationToken)
    {
        var (validity, targetId, sources, first) = await TransferOnceAsync(uids, destination, move, cancellationToken);
        if (targetId == _mailboxId)
        {
            notifier.Touch(_mailboxId);
        }

        if (move)
        {
            foreach (var uid in sources)
            {
                _known.Remove((uint)uid);
            }
        }

        var sourceUids = sources.Select(u => (uint)u).ToList();
        var targetUids = Enumerable.Range(0, sources.Count).Select(i => (uint)(first + i)).ToList();
        return new CopyResult(validity, sourceUids, targetUids);
    }

    /// <summary>
    /// One transaction of a COPY or MOVE: transfer_messages (migration 0018) after the vaultbox's
    /// write lock, in one round trip; changes nothing of the session (it may run again).
    /// </summary>
    private Task<(uint Validity, long TargetId, List<long> Sources, long First)> TransferOnceAsync(
        IReadOnlyList<UidRange> uids, string destination, bool move, CancellationToken cancellationToken) =>
        WriteAsync(batch => batch.BatchCommands.Add(Command(
                "SELECT target_id, uid_validity, source_uids, first_uid FROM transfer_messages($1, $2, $3, $4, $5, $6, $7)",
                _vaultbox, _mailboxId, destination, uids.Select(r => (long)r.First).ToArray(), uids.Select(r => (long)r.Last).ToArray(),
                move, MailboxNotifier.ChangeChannel)),
            async (reader, ct) =>
            {
                await reader.ReadAsync(ct);
                if (await reader.IsDBNullAsync(0, ct))
                {
                    throw ImapException.No("No such mailbox", "TRYCREATE");
                }

                return ((uint)reader.GetInt64(1), reader.GetInt64(0), reader.GetFieldValue<long[]>(2).ToList(), reader.GetInt64(3));
            },
            cancellationToken);
}

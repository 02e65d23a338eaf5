using Encimap.Imap.Protocol;
using Npgsql;

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
        var (validity, targetId, sources, first) = await TransactionRetry.RunAsync(
            ct => TransferOnceAsync(uids, destination, move, ct), logger, cancellationToken);
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

    /// <summary>One transaction of a COPY or MOVE; changes nothing of the session (it may run again).</summary>
    private async Task<(uint Validity, long TargetId, List<long> Sources, long First)> TransferOnceAsync(
        IReadOnlyList<UidRange> uids, string destination, bool move, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The vaultbox's write lock first (PostgresImapSession.Writes.cs): it keeps other writers
        // off both mailboxes until the commit, so what is read below stays as read.
        await LockVaultboxAsync(connection, transaction, cancellationToken);
        long targetId;
        uint validity;
        await using (var target = new NpgsqlCommand("SELECT id, uid_validity FROM mailboxes WHERE vaultbox_id = $1 AND name = $2", connection, transaction))
        {
            target.Parameters.AddWithValue(_vaultbox);
            target.Parameters.AddWithValue(destination);
            await using var reader = await target.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw ImapException.No("No such mailbox", "TRYCREATE");
            }

            targetId = reader.GetInt64(0);
            validity = (uint)reader.GetInt64(1);
        }

        // MOVE to the selected mailbox itself is allowed (RFC 6851 does not forbid it): the messages
        // get new UIDs at its end, as a COPY followed by an EXPUNGE would give them (as in Dovecot).
        var sources = new List<long>();
        await using (var select = new NpgsqlCommand { Connection = connection, Transaction = transaction })
        {
            select.Parameters.AddWithValue(_mailboxId);
            select.CommandText = $"SELECT uid FROM messages WHERE mailbox_id = $1 AND {RangeCondition(select, uids)} ORDER BY uid";
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                sources.Add(reader.GetInt64(0));
            }
        }

        if (sources.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return (validity, targetId, sources, 0);
        }

        long first, modseq;
        await using (var reserve = new NpgsqlCommand(
            "UPDATE mailboxes SET uid_next = uid_next + $2, highest_modseq = highest_modseq + 1 WHERE id = $1 RETURNING uid_next - $2, highest_modseq",
            connection, transaction))
        {
            reserve.Parameters.AddWithValue(targetId);
            reserve.Parameters.AddWithValue((long)sources.Count);
            await using var reader = await reserve.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            first = reader.GetInt64(0);
            modseq = reader.GetInt64(1);
        }

        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            if (move)
            {
                batch.BatchCommands.Add(Command(
                    """
                    UPDATE messages m SET mailbox_id = $2, uid = s.new_uid, modseq = $4
                    FROM (SELECT id, $3 + row_number() OVER (ORDER BY uid) - 1 AS new_uid
                          FROM messages WHERE mailbox_id = $1 AND uid = ANY ($5)) s
                    WHERE m.id = s.id
                    """, _mailboxId, targetId, first, modseq, sources.ToArray()));
                // Moved away is expunged from here: remembered for QRESYNC.
                batch.BatchCommands.Add(Command(
                    """
                    WITH bump AS (UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = $1 RETURNING highest_modseq)
                    INSERT INTO expunged_messages (mailbox_id, uid, modseq) SELECT $1, uid, (SELECT highest_modseq FROM bump) FROM unnest($2::bigint[]) uid
                    """, _mailboxId, sources.ToArray()));
            }
            else
            {
                // The copies' chunks (migration 0017) are copied by the server, row by row.
                batch.BatchCommands.Add(Command(
                    """
                    WITH source AS (
                        SELECT id, vaultbox_id, flags, internal_date, size_bytes, message_id, from_domain, to_alias, subject, envelope,
                               body_structure, content, content_der, chunked_der_length, imap_envelope, imap_body_structure,
                               $3 + row_number() OVER (ORDER BY uid) - 1 AS new_uid
                        FROM messages WHERE mailbox_id = $1 AND uid = ANY ($5)),
                    copied AS (
                        INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, flags, internal_date, size_bytes, message_id, from_domain,
                                              to_alias, subject, envelope, body_structure, content, content_der, chunked_der_length,
                                              imap_envelope, imap_body_structure)
                        SELECT vaultbox_id, $2, new_uid, $4, flags, internal_date, size_bytes, message_id, from_domain, to_alias, subject,
                               envelope, body_structure, content, content_der, chunked_der_length, imap_envelope, imap_body_structure
                        FROM source
                        RETURNING id, uid)
                    INSERT INTO message_chunks (message_id, seq, data)
                    SELECT copied.id, c.seq, c.data
                    FROM copied JOIN source ON source.new_uid = copied.uid JOIN message_chunks c ON c.message_id = source.id
                    WHERE source.chunked_der_length IS NOT NULL
                    """, _mailboxId, targetId, first, modseq, sources.ToArray()));
            }

            batch.BatchCommands.Add(Command(
                $"SELECT pg_notify('{MailboxNotifier.ChangeChannel}', json_build_object('vaultbox_id', $1::uuid, 'mailbox_id', $2::bigint)::text)",
                _vaultbox, targetId));
            batch.BatchCommands.Add(Command(
                $"SELECT pg_notify('{MailboxNotifier.ChangeChannel}', json_build_object('vaultbox_id', $1::uuid, 'mailbox_id', $2::bigint)::text)",
                _vaultbox, _mailboxId));
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (validity, targetId, sources, first);
    }
}

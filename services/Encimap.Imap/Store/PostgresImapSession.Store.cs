using Encimap.Imap.Protocol;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.Imap;

// STORE and EXPUNGE.
public sealed partial class PostgresImapSession
{
    public async Task<StoreResult> StoreAsync(IReadOnlyList<UidRange> uids, StoreMode mode, IReadOnlyList<string> flags, ulong? unchangedSince, CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return new StoreResult([], []);
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var failed = new List<uint>();
        var unchanged = unchangedSince is { } limit ? (long)limit : long.MaxValue;
        await using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        command.Parameters.AddWithValue(_mailboxId);
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.Add(new NpgsqlParameter { Value = flags.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.AddWithValue(unchanged);
        var condition = RangeCondition(command, uids);
        var (expression, differs) = mode switch
        {
            StoreMode.Add => ("flags || ARRAY(SELECT f FROM unnest($3::text[]) f WHERE f <> ALL (flags))", "NOT (flags @> $3::text[])"),
            StoreMode.Remove => ("ARRAY(SELECT f FROM unnest(flags) WITH ORDINALITY t(f, i) WHERE f <> ALL ($3::text[]) ORDER BY i)", "flags && $3::text[]"),
            _ => ("$3::text[]", "NOT (flags @> $3::text[] AND flags <@ $3::text[])"),
        };
        if (unchangedSince is not null)
        {
            await using var check = new NpgsqlCommand($"SELECT uid FROM messages WHERE mailbox_id = $1 AND {condition} AND modseq > $4", connection, transaction);
            foreach (NpgsqlParameter parameter in command.Parameters)
            {
                check.Parameters.Add(parameter.Clone());
            }

            await using var reader = await check.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                failed.Add((uint)reader.GetInt64(0));
            }
        }

        command.CommandText =
            $"""
            WITH targets AS (
                SELECT id FROM messages
                WHERE mailbox_id = $1 AND {condition} AND modseq <= $4 AND {differs} FOR UPDATE),
            bump AS (
                UPDATE mailboxes SET highest_modseq = highest_modseq + 1
                WHERE id = $1 AND EXISTS (SELECT 1 FROM targets) RETURNING highest_modseq),
            updated AS (
                UPDATE messages SET flags = {expression}, modseq = (SELECT highest_modseq FROM bump)
                WHERE id IN (SELECT id FROM targets) RETURNING uid, flags, modseq)
            SELECT uid, flags, modseq, pg_notify('{MailboxNotifier.ChangeChannel}', json_build_object('vaultbox_id', $2::uuid, 'mailbox_id', $1::bigint)::text)
            FROM updated ORDER BY uid
            """;
        var updated = new List<FlagUpdate>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var update = new FlagUpdate((uint)reader.GetInt64(0), reader.GetFieldValue<string[]>(1), (ulong)reader.GetInt64(2));
                _own[update.Uid] = (long)update.ModSeq;
                updated.Add(update);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new StoreResult(updated, failed);
    }

    public async Task<IReadOnlyList<uint>> ExpungeAsync(IReadOnlyList<UidRange>? uids, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand { Connection = connection };
        command.Parameters.AddWithValue(_mailboxId);
        command.Parameters.AddWithValue(_vaultbox);
        var condition = uids is null ? "true" : uids.Count == 0 ? "false" : RangeCondition(command, uids);
        command.CommandText =
            $"""
            WITH gone AS (
                DELETE FROM messages WHERE mailbox_id = $1 AND '\Deleted' = ANY (flags) AND {condition} RETURNING uid),
            bump AS (
                UPDATE mailboxes SET highest_modseq = highest_modseq + 1
                WHERE id = $1 AND EXISTS (SELECT 1 FROM gone) RETURNING highest_modseq),
            remembered AS (
                INSERT INTO expunged_messages (mailbox_id, uid, modseq) SELECT $1, uid, (SELECT highest_modseq FROM bump) FROM gone)
            SELECT uid, (SELECT pg_notify('{MailboxNotifier.ChangeChannel}', json_build_object('vaultbox_id', $2::uuid, 'mailbox_id', $1::bigint)::text) FROM bump)
            FROM gone ORDER BY uid
            """;
        var expunged = new List<uint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var uid = (uint)reader.GetInt64(0);
            expunged.Add(uid);
            _known.Remove(uid);
        }

        return expunged;
    }
}

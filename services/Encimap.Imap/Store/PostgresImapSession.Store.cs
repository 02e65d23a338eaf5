using Encimap.Imap.Protocol;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.Imap;

// STORE and EXPUNGE, each one write under the vaultbox's lock (PostgresImapSession.Writes.cs).
public sealed partial class PostgresImapSession
{
    public async Task<StoreResult> StoreAsync(IReadOnlyList<UidRange> uids, StoreMode mode, IReadOnlyList<string> flags, ulong? unchangedSince, CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return new StoreResult([], []);
        }

        var (expression, differs) = mode switch
        {
            StoreMode.Add => ("flags || ARRAY(SELECT f FROM unnest($3::text[]) f WHERE f <> ALL (flags))", "NOT (flags @> $3::text[])"),
            StoreMode.Remove => ("ARRAY(SELECT f FROM unnest(flags) WITH ORDINALITY t(f, i) WHERE f <> ALL ($3::text[]) ORDER BY i)", "flags && $3::text[]"),
            _ => ("$3::text[]", "NOT (flags @> $3::text[] AND flags <@ $3::text[])"),
        };
        // Keywords it adds join the mailbox's list (migration 0020) in the update of the mailbox row
        // the change makes anyway.
        var keywords = mode == StoreMode.Remove ? [] : flags.Where(f => !f.StartsWith('\\')).ToArray();
        var rememberKeywords = keywords.Length == 0 ? ""
            : ", keywords = CASE WHEN keywords @> $5::text[] THEN keywords ELSE ARRAY(SELECT DISTINCT k FROM unnest(keywords || $5::text[]) k ORDER BY k) END";
        var (updated, failed) = await WriteFlagsAsync(batch =>
        {
            NpgsqlBatchCommand Statement()
            {
                var command = Command("", _mailboxId, _vaultbox, flags.ToArray(), unchangedSince is { } limit ? (long)limit : long.MaxValue, keywords);
                command.Parameters[2].NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text;
                command.Parameters[4].NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text;
                return command;
            }

            // UNCHANGEDSINCE (RFC 7162 §3.1.3): checked after the lock, so no change slips in between.
            if (unchangedSince is not null)
            {
                var check = Statement();
                check.CommandText = $"SELECT uid FROM messages WHERE mailbox_id = $1 AND {RangeCondition(check.Parameters, uids)} AND modseq > $4 ORDER BY uid";
                batch.BatchCommands.Add(check);
            }

            var update = Statement();
            update.CommandText =
                $"""
                WITH targets AS (
                    SELECT id FROM messages WHERE mailbox_id = $1 AND {RangeCondition(update.Parameters, uids)} AND modseq <= $4 AND {differs}),
                bump AS (
                    UPDATE mailboxes SET highest_modseq = highest_modseq + 1{rememberKeywords}
                    WHERE id = $1 AND EXISTS (SELECT 1 FROM targets) RETURNING highest_modseq),
                updated AS (
                    UPDATE messages SET flags = {expression}, modseq = (SELECT highest_modseq FROM bump)
                    WHERE id IN (SELECT id FROM targets) RETURNING uid, flags, modseq)
                SELECT uid, flags, modseq, pg_notify('{MailboxNotifier.ChangeChannel}', json_build_object('vaultbox_id', $2::uuid, 'mailbox_id', $1::bigint, 'modseq', modseq)::text)
                FROM updated ORDER BY uid
                """;
            batch.BatchCommands.Add(update);
        }, async (reader, ct) =>
        {
            var failed = new List<uint>();
            if (unchangedSince is not null)
            {
                while (await reader.ReadAsync(ct))
                {
                    failed.Add((uint)reader.GetInt64(0));
                }

                await reader.NextResultAsync(ct);
            }

            var updated = new List<FlagUpdate>();
            while (await reader.ReadAsync(ct))
            {
                updated.Add(new FlagUpdate((uint)reader.GetInt64(0), reader.GetFieldValue<string[]>(1), (ulong)reader.GetInt64(2)));
            }

            return (updated, failed);
        }, cancellationToken);

        foreach (var update in updated)
        {
            _own[update.Uid] = (long)update.ModSeq;
        }

        if (updated.Count > 0)
        {
            OwnChangeTook((long)updated[0].ModSeq);
        }

        return new StoreResult(updated, failed);
    }

    public async Task<IReadOnlyList<uint>> ExpungeAsync(IReadOnlyList<UidRange>? uids, CancellationToken cancellationToken)
    {
        var (expunged, modseq) = await WriteAsync(batch =>
        {
            var command = Command("", _mailboxId, _vaultbox);
            var condition = uids is null ? "true" : uids.Count == 0 ? "false" : RangeCondition(command.Parameters, uids);
            command.CommandText =
                $"""
                WITH gone AS (
                    DELETE FROM messages WHERE mailbox_id = $1 AND '\Deleted' = ANY (flags) AND {condition} RETURNING uid),
                bump AS (
                    UPDATE mailboxes SET highest_modseq = highest_modseq + 1
                    WHERE id = $1 AND EXISTS (SELECT 1 FROM gone) RETURNING highest_modseq),
                remembered AS (
                    INSERT INTO expunged_messages (mailbox_id, uid, modseq) SELECT $1, uid, (SELECT highest_modseq FROM bump) FROM gone)
                SELECT uid, (SELECT highest_modseq FROM bump), (SELECT pg_notify('{MailboxNotifier.ChangeChannel}', json_build_object('vaultbox_id', $2::uuid, 'mailbox_id', $1::bigint, 'modseq', highest_modseq)::text) FROM bump)
                FROM gone ORDER BY uid
                """;
            batch.BatchCommands.Add(command);
        }, async (reader, ct) =>
        {
            var gone = new List<uint>();
            long took = 0;
            while (await reader.ReadAsync(ct))
            {
                gone.Add((uint)reader.GetInt64(0));
                took = reader.GetInt64(1);
            }

            return (gone, took);
        }, cancellationToken);

        _known.ExceptWith(expunged);
        if (expunged.Count > 0)
        {
            OwnChangeTook(modseq);
        }

        return expunged;
    }
}

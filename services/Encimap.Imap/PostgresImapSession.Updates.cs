using System.Data;
using Encimap.Imap.Protocol;
using Npgsql;

namespace Encimap.Imap;

// What changed in the selected mailbox since this session last looked.
public sealed partial class PostgresImapSession
{
    public async Task PollAsync(IUpdateSink updates, bool force, CancellationToken cancellationToken)
    {
        if (_mailboxId == 0)
        {
            return;
        }

        var version = notifier.Version(_mailboxId);
        if (!force && version >= 0 && version == _lastVersion)
        {
            return;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        long highest = -1, claimed = 0;
        await using (var check = new NpgsqlCommand("SELECT highest_modseq, recent_uid FROM mailboxes WHERE id = $1", connection, transaction))
        {
            check.Parameters.AddWithValue(_mailboxId);
            await using var reader = await check.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                (highest, claimed) = (reader.GetInt64(0), reader.GetInt64(1));
            }
        }

        if (highest < 0)
        {
            // The mailbox was deleted or renamed away under us: everything is gone.
            updates.Expunged([.. _known]);
            _known.Clear();
            _lastVersion = version;
            return;
        }

        if (highest == _lastModSeq)
        {
            _lastVersion = version;
            return;
        }

        // Only what changed since the last look, never the whole mailbox: every change bumps the
        // mailbox's mod-sequence and stamps the message with it, and every expunge (and MOVE away)
        // leaves its UID in expunged_messages with the mod-sequence of that change (migration 0012).
        // A message is new to this session when it is not among the UIDs it knows: UIDs are never
        // reused, and one added after the last look carries a mod-sequence above it.
        var changed = new List<FlagUpdate>();
        var added = new List<uint>();
        var expunged = new List<uint>();
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(Command("SELECT uid, flags, modseq FROM messages WHERE mailbox_id = $1 AND modseq > $2 ORDER BY uid", _mailboxId, _lastModSeq));
            batch.BatchCommands.Add(Command("SELECT uid FROM expunged_messages WHERE mailbox_id = $1 AND modseq > $2 ORDER BY uid", _mailboxId, _lastModSeq));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var uid = (uint)reader.GetInt64(0);
                var modseq = reader.GetInt64(2);
                if (!_known.Contains(uid))
                {
                    added.Add(uid);
                }
                else if (!(_own.TryGetValue(uid, out var own) && own == modseq))
                {
                    changed.Add(new FlagUpdate(uid, reader.GetFieldValue<string[]>(1), (ulong)modseq));
                }
            }

            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var uid = (uint)reader.GetInt64(0);
                if (_known.Contains(uid))
                {
                    expunged.Add(uid);
                }
            }
        }

        // Everything that may fail first: the session's state changes only when all of it is known.
        // Another session already took them as \Recent (recent_uid only grows): no claim, no lock.
        var recent = added.Count == 0 || added[^1] <= claimed ? [] : await RecentAmongAsync(added, cancellationToken);

        _lastVersion = version;
        _known.ExceptWith(expunged);
        updates.Expunged(expunged);
        foreach (var update in changed)
        {
            updates.FlagsChanged(update);
        }

        _known.UnionWith(added);
        updates.Exists(added, recent);
        updates.HighestModSeqReached((ulong)highest);
        _lastModSeq = highest;
        foreach (var stale in _own.Where(o => o.Value <= highest).Select(o => o.Key).ToList())
        {
            _own.Remove(stale);
        }
    }
}

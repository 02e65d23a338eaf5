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

        // One statement, so one snapshot and one round trip, no transaction: the mailbox's state
        // (kind 0), then only what changed since the last look (kinds 1 and 2), never the whole
        // mailbox. Every change bumps the mailbox's mod-sequence and stamps the message with it,
        // and every expunge (and MOVE away) leaves its UID in expunged_messages with the
        // mod-sequence of that change (migration 0012). A message is new to this session when it is
        // not among the UIDs it knows: UIDs are never reused, and one added after the last look
        // carries a mod-sequence above it.
        await using var command = database.CreateCommand(
            """
            SELECT 0 AS kind, highest_modseq AS uid, recent_uid AS modseq, NULL::text[] AS flags FROM mailboxes WHERE id = $1
            UNION ALL
            SELECT 1, uid, modseq, flags FROM messages WHERE mailbox_id = $1 AND modseq > $2
            UNION ALL
            SELECT 2, uid, modseq, NULL FROM expunged_messages WHERE mailbox_id = $1 AND modseq > $2
            ORDER BY kind, uid
            """);
        command.Parameters.AddWithValue(_mailboxId);
        command.Parameters.AddWithValue(_lastModSeq);
        long highest = -1, claimed = 0;
        var changed = new List<FlagUpdate>();
        var added = new List<uint>();
        var expunged = new List<uint>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var kind = reader.GetInt32(0);
                if (kind == 0)
                {
                    (highest, claimed) = (reader.GetInt64(1), reader.GetInt64(2));
                    continue;
                }

                var uid = (uint)reader.GetInt64(1);
                var modseq = reader.GetInt64(2);
                if (kind == 2)
                {
                    if (_known.Contains(uid))
                    {
                        expunged.Add(uid);
                    }
                }
                else if (!_known.Contains(uid))
                {
                    added.Add(uid);
                }
                else if (!(_own.TryGetValue(uid, out var own) && own == modseq))
                {
                    changed.Add(new FlagUpdate(uid, reader.GetFieldValue<string[]>(3), (ulong)modseq));
                }
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

using Encimap.Imap.Protocol;

namespace Encimap.Imap;

// STATUS, SELECT/EXAMINE and UNSELECT.
public sealed partial class PostgresImapSession
{
    public async Task<MailboxStatus> StatusAsync(string mailbox, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT b.uid_next, b.uid_validity, b.highest_modseq, count(m.id),
                   count(m.id) FILTER (WHERE NOT ('\Seen' = ANY (m.flags))),
                   coalesce(sum(m.size_bytes), 0),
                   count(m.id) FILTER (WHERE '\Deleted' = ANY (m.flags))
            FROM mailboxes b LEFT JOIN messages m ON m.mailbox_id = b.id
            WHERE b.vaultbox_id = $1 AND b.name = $2
            GROUP BY b.id
            """);
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(mailbox);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw ImapException.No("No such mailbox", "NONEXISTENT");
        }

        return new MailboxStatus((uint)reader.GetInt64(3), (uint)reader.GetInt64(0), (uint)reader.GetInt64(1), (uint)reader.GetInt64(4),
            (ulong)reader.GetInt64(2), reader.GetInt64(5), (uint)reader.GetInt64(6));
    }

    public async Task<SelectData> SelectAsync(string mailbox, bool readOnly, CancellationToken cancellationToken)
    {
        // One statement, one snapshot: the UID list and HIGHESTMODSEQ agree.
        await using var command = database.CreateCommand(
            """
            SELECT b.id, b.uid_validity, b.uid_next, b.highest_modseq,
                   coalesce((SELECT array_agg(uid ORDER BY uid) FROM messages WHERE mailbox_id = b.id), '{}'),
                   (SELECT min(uid) FROM messages WHERE mailbox_id = b.id AND NOT ('\Seen' = ANY (flags))),
                   -- The keywords in use, for FLAGS and PERMANENTFLAGS.
                   coalesce((SELECT array_agg(DISTINCT f ORDER BY f) FROM messages, unnest(flags) f
                             WHERE mailbox_id = b.id AND left(f, 1) <> '\'), '{}')
            FROM mailboxes b WHERE b.vaultbox_id = $1 AND b.name = $2
            """);
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(mailbox);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw ImapException.No("No such mailbox", "NONEXISTENT");
        }

        _lastVersion = notifier.Version(reader.GetInt64(0));
        _mailboxId = reader.GetInt64(0);
        _mailboxName = mailbox;
        _uidValidity = (uint)reader.GetInt64(1);
        _lastModSeq = reader.GetInt64(3);
        _known.Clear();
        _own.Clear();
        foreach (var uid in reader.GetFieldValue<long[]>(4))
        {
            _known.Add((uint)uid);
        }

        uint? unseen = reader.IsDBNull(5) ? null : (uint)reader.GetInt64(5);
        return new SelectData(_uidValidity, (uint)reader.GetInt64(2), [.. _known], (ulong)_lastModSeq, reader.GetFieldValue<string[]>(6), unseen);
    }

    public Task UnselectAsync(CancellationToken cancellationToken)
    {
        _mailboxId = 0;
        _mailboxName = null;
        _known.Clear();
        _own.Clear();
        return Task.CompletedTask;
    }
}

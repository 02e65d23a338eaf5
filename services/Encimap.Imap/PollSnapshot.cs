using Npgsql;

namespace Encimap.Imap;

/// <summary>
/// One look at a selected mailbox: its mod-sequence and \Recent mark, and what changed since the
/// mod-sequence the session had (changed messages, expunged UIDs), from one statement, so one
/// snapshot that needs no transaction. The statement runs on its own (a poll) or as the last one of
/// a command's batch, in the round trip the command makes anyway; the session applies it when it
/// may send updates.
/// </summary>
internal sealed class PollSnapshot(long mailboxId, long since, long version)
{
    private readonly List<(bool Expunged, uint Uid, long ModSeq, string[]? Flags)> _rows = [];

    /// <summary>The mailbox looked at.</summary>
    public long MailboxId => mailboxId;

    /// <summary>The mod-sequence the session had: the snapshot holds what changed after it.</summary>
    public long Since => since;

    /// <summary>The notifier's version before the statement ran: a later change moves it.</summary>
    public long Version => version;

    /// <summary>The mailbox's mod-sequence, or -1 when it no longer exists.</summary>
    public long Highest { get; private set; } = -1;

    /// <summary>The highest UID some session already took as \Recent.</summary>
    public long RecentUpTo { get; private set; }

    public IReadOnlyList<(bool Expunged, uint Uid, long ModSeq, string[]? Flags)> Rows => _rows;

    // Kind 0 is the mailbox, 1 a message changed or added, 2 an expunged UID. Every change bumps the
    // mailbox's mod-sequence and stamps the message with it, and every expunge (and MOVE away)
    // leaves its UID in expunged_messages with the mod-sequence of that change (migration 0012).
    public NpgsqlBatchCommand Statement()
    {
        var command = new NpgsqlBatchCommand(
            """
            SELECT 0 AS kind, highest_modseq AS uid, recent_uid AS modseq, NULL::text[] AS flags FROM mailboxes WHERE id = $1
            UNION ALL
            SELECT 1, uid, modseq, flags FROM messages WHERE mailbox_id = $1 AND modseq > $2
            UNION ALL
            SELECT 2, uid, modseq, NULL FROM expunged_messages WHERE mailbox_id = $1 AND modseq > $2
            ORDER BY kind, uid
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = mailboxId });
        command.Parameters.Add(new NpgsqlParameter { Value = since });
        return command;
    }

    /// <summary>Reads the statement's rows; the reader is on its result.</summary>
    public async Task ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken))
        {
            var kind = reader.GetInt32(0);
            if (kind == 0)
            {
                (Highest, RecentUpTo) = (reader.GetInt64(1), reader.GetInt64(2));
                continue;
            }

            _rows.Add((kind == 2, (uint)reader.GetInt64(1), reader.GetInt64(2), kind == 2 ? null : reader.GetFieldValue<string[]>(3)));
        }
    }
}

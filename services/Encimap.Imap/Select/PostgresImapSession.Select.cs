using Encimap.Imap.Protocol;

namespace Encimap.Imap;

// STATUS, SELECT/EXAMINE and UNSELECT, the \Recent messages of the selected mailbox, and the
// expunges QRESYNC asks for.
public sealed partial class PostgresImapSession : IImapQresyncSession
{
    // EXAMINE: \Recent is shown, never taken from the next session (RFC 3501 §6.3.2).
    private bool _readOnly;

    public async Task<MailboxStatus> StatusAsync(string mailbox, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT b.uid_next, b.uid_validity, b.highest_modseq, count(m.id),
                   count(m.id) FILTER (WHERE NOT ('\Seen' = ANY (m.flags))),
                   coalesce(sum(m.size_bytes), 0),
                   count(m.id) FILTER (WHERE '\Deleted' = ANY (m.flags)),
                   count(m.id) FILTER (WHERE m.uid > b.recent_uid)
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
            (ulong)reader.GetInt64(2), reader.GetInt64(5), (uint)reader.GetInt64(6), (uint)reader.GetInt64(7));
    }

    public async Task<SelectData> SelectAsync(string mailbox, bool readOnly, CancellationToken cancellationToken)
    {
        var (uidNext, unseen, keywords) = await ReadSelectionAsync(mailbox, cancellationToken);
        _readOnly = readOnly;
        var recent = await RecentAmongAsync([.. _known], cancellationToken);
        return new SelectData(_uidValidity, uidNext, [.. _known], (ulong)_lastModSeq, keywords, unseen, recent);
    }

    /// <summary>Makes <paramref name="mailbox"/> the selected one, as it is now.</summary>
    private async Task<(uint UidNext, uint? FirstUnseen, string[] Keywords)> ReadSelectionAsync(string mailbox, CancellationToken cancellationToken)
    {
        // One statement, one snapshot: the UID list and HIGHESTMODSEQ agree.
        await using var command = database.CreateCommand(
            """
            SELECT b.id, b.uid_validity, b.uid_next, b.highest_modseq,
                   coalesce((SELECT array_agg(uid ORDER BY uid) FROM messages WHERE mailbox_id = b.id), '{}'),
                   (SELECT min(uid) FROM messages WHERE mailbox_id = b.id AND NOT ('\Seen' = ANY (flags))),
                   -- Every keyword a message of it has had, for FLAGS and PERMANENTFLAGS (migration 0020).
                   b.keywords
            FROM mailboxes b WHERE b.vaultbox_id = $1 AND b.name = $2
            """);
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(mailbox);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw ImapException.No("No such mailbox", "NONEXISTENT");
        }

        // The notifier's version is read only now, after the snapshot: a change notified in between
        // would count as seen. None counts as seen: the first command's batch takes a look.
        _lastVersion = long.MinValue;
        _mailboxId = reader.GetInt64(0);
        _mailboxName = mailbox;
        _uidValidity = (uint)reader.GetInt64(1);
        _lastModSeq = reader.GetInt64(3);
        _pending = null;
        _ownModSeq = 0;
        _known.Clear();
        _own.Clear();
        foreach (var uid in reader.GetFieldValue<long[]>(4))
        {
            _known.Add((uint)uid);
        }

        uint? unseen = reader.IsDBNull(5) ? null : (uint)reader.GetInt64(5);
        return ((uint)reader.GetInt64(2), unseen, reader.GetFieldValue<string[]>(6));
    }

    /// <summary>
    /// The UIDs among <paramref name="uids"/> (ascending) that no session has been given as
    /// \Recent; read-write, this session takes them, in one statement that waits for any other
    /// session's claim, so each message is recent in one session only. It takes that one row lock
    /// and no other, so it cannot close a lock cycle and needs no vaultbox lock
    /// (PostgresImapSession.Writes.cs); FOR NO KEY UPDATE, as the UPDATE itself, leaves the key
    /// share of a concurrent insert of a message into the mailbox alone.
    /// </summary>
    private async Task<IReadOnlyList<uint>> RecentAmongAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return [];
        }

        if (_readOnly)
        {
            return await RecentUnclaimedAsync(uids, cancellationToken);
        }

        // Known taken by a session of this process: nothing to ask. Else one claim at a time per
        // mailbox in this process, so the sessions that see the same new message make one claim.
        if (recentClaims.Taken(_mailboxId, uids[^1]))
        {
            return [];
        }

        using var turn = await recentClaims.TurnAsync(_mailboxId, cancellationToken);
        if (recentClaims.Taken(_mailboxId, uids[^1]))
        {
            return [];
        }

        // A claim is session state, not mail: its commit does not wait for the WAL flush (as a flag
        // change's, PostgresImapSession.Writes.cs). Lost in a crash, it goes with the sessions that
        // saw it; the messages are then \Recent to the next session. While it waits for its flush
        // it holds the mailbox row that every writer of the mailbox updates.
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(Command("SELECT set_config('synchronous_commit', 'off', true)"));
        batch.BatchCommands.Add(Command(
            """
            UPDATE mailboxes m SET recent_uid = $2
            FROM (SELECT recent_uid FROM mailboxes WHERE id = $1 FOR NO KEY UPDATE) claimed
            WHERE m.id = $1 AND claimed.recent_uid < $2
            RETURNING claimed.recent_uid
            """, _mailboxId, (long)uids[^1]));
        long? claimedAbove = null;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            await reader.NextResultAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                claimedAbove = reader.GetInt64(0);
            }

            while (await reader.NextResultAsync(cancellationToken))
            {
            }
        }

        // Taken now, by this claim or an earlier one (of a session of another instance).
        recentClaims.Reached(_mailboxId, uids[^1]);
        return claimedAbove is { } above ? uids.Where(u => u > above).ToList() : [];
    }

    /// <summary>EXAMINE: the UIDs among <paramref name="uids"/> that no session has taken as \Recent, shown and not taken (RFC 3501 §6.3.2).</summary>
    private async Task<IReadOnlyList<uint>> RecentUnclaimedAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT recent_uid FROM mailboxes WHERE id = $1");
        command.Parameters.AddWithValue(_mailboxId);
        return await command.ExecuteScalarAsync(cancellationToken) is long upTo ? uids.Where(u => u > upTo).ToList() : [];
    }

    public async Task<IReadOnlyList<uint>> VanishedAsync(IReadOnlyList<UidRange> uids, ulong sinceModSeq, CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return [];
        }

        await using var command = database.CreateCommand();
        command.Parameters.AddWithValue(_mailboxId);
        command.Parameters.AddWithValue((long)Math.Min(sinceModSeq, long.MaxValue));
        command.CommandText = $"SELECT uid FROM expunged_messages WHERE mailbox_id = $1 AND modseq > $2 AND {RangeCondition(command, uids)} ORDER BY uid";
        var vanished = new List<uint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            vanished.Add((uint)reader.GetInt64(0));
        }

        return vanished;
    }

    public Task UnselectAsync(CancellationToken cancellationToken)
    {
        _mailboxId = 0;
        _mailboxName = null;
        _pending = null;
        _ownModSeq = 0;
        _known.Clear();
        _own.Clear();
        return Task.CompletedTask;
    }
}

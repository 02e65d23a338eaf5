using Encimap.Imap.Protocol;
using Npgsql;

namespace Encimap.Imap;

// LIST, CREATE, DELETE, RENAME and SUBSCRIBE: the vaultbox's mailboxes.
public sealed partial class PostgresImapSession
{
    public async Task<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(CancellationToken cancellationToken)
    {
        // The mailboxes, and the names subscribed to whose mailbox is gone.
        await using var command = database.CreateCommand(
            """
            SELECT name, special_use, subscribed, true FROM mailboxes WHERE vaultbox_id = $1
            UNION ALL
            SELECT name, NULL, true, false FROM detached_subscriptions WHERE vaultbox_id = $1
            """);
        command.Parameters.AddWithValue(_vaultbox);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<MailboxInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new MailboxInfo(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3)));
        }

        return list;
    }

    public async Task CreateAsync(string mailbox, CancellationToken cancellationToken)
    {
        if (mailbox == "INBOX")
        {
            throw ImapException.No("INBOX exists", "ALREADYEXISTS");
        }

        // A subscription that outlived an earlier mailbox of this name is the new one's; its
        // UIDVALIDITY is larger than any earlier mailbox of the name had (RFC 3501 §2.3.1.1).
        await using var command = database.CreateCommand(
            """
            WITH resubscribed AS (DELETE FROM detached_subscriptions WHERE vaultbox_id = $1 AND name = $2)
            INSERT INTO mailboxes (vaultbox_id, name, uid_validity) VALUES ($1, $2, next_uid_validity($1))
            """);
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(mailbox);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw ImapException.No("Mailbox exists", "ALREADYEXISTS");
        }
    }

    public async Task DeleteAsync(string mailbox, CancellationToken cancellationToken)
    {
        if (mailbox == "INBOX")
        {
            throw ImapException.No("INBOX cannot be deleted", "CANNOT");
        }

        // Its subscription stays (RFC 3501 §6.3.6). Its messages go with it: a write under the
        // vaultbox's lock (PostgresImapSession.Writes.cs).
        var deleted = await WriteAsync(batch => batch.BatchCommands.Add(Command(
            """
            WITH gone AS (
                DELETE FROM mailboxes WHERE vaultbox_id = $1 AND name = $2 AND special_use IS NULL RETURNING id, name, subscribed),
            detached AS (
                INSERT INTO detached_subscriptions (vaultbox_id, name) SELECT $1, name FROM gone WHERE subscribed ON CONFLICT DO NOTHING)
            SELECT id FROM gone
            """, _vaultbox, mailbox)),
            async (reader, ct) => await reader.ReadAsync(ct), cancellationToken);
        if (!deleted)
        {
            var exists = (await ListMailboxesAsync(cancellationToken)).Any(m => m.Name == mailbox && m.Exists);
            throw exists ? ImapException.No("Special-use folders cannot be deleted", "CANNOT") : ImapException.No("No such mailbox", "NONEXISTENT");
        }
    }

    public async Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        if (from == "INBOX" || to == "INBOX")
        {
            throw ImapException.No("INBOX cannot be renamed", "CANNOT");
        }

        // Subscriptions go with the mailboxes; one that outlived an earlier mailbox of a new name
        // is dropped. Several mailbox rows: under the vaultbox's lock (PostgresImapSession.Writes.cs).
        try
        {
            var renamed = await WriteAsync(batch => batch.BatchCommands.Add(Command(
                """
                WITH renamed AS (
                    UPDATE mailboxes SET name = $3 || substr(name, length($2) + 1)
                    WHERE vaultbox_id = $1 AND (name = $2 OR starts_with(name, $2 || '/')) RETURNING name),
                replaced AS (
                    DELETE FROM detached_subscriptions d USING renamed r WHERE d.vaultbox_id = $1 AND d.name = r.name)
                SELECT count(*) FROM renamed
                """, _vaultbox, from, to)),
                async (reader, ct) => await reader.ReadAsync(ct) ? reader.GetInt64(0) : 0, cancellationToken);
            if (renamed == 0)
            {
                throw ImapException.No("No such mailbox", "NONEXISTENT");
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw ImapException.No("Target mailbox exists", "ALREADYEXISTS");
        }
    }

    public async Task SetSubscribedAsync(string mailbox, bool subscribed, CancellationToken cancellationToken)
    {
        // SUBSCRIBE wants a mailbox (a server may check, RFC 3501 §6.3.6); UNSUBSCRIBE also
        // drops a subscription that outlived its mailbox.
        await using var command = database.CreateCommand(subscribed
            ? "WITH m AS (UPDATE mailboxes SET subscribed = true WHERE vaultbox_id = $1 AND name = $2 RETURNING 1) SELECT count(*) FROM m"
            : """
              WITH m AS (UPDATE mailboxes SET subscribed = false WHERE vaultbox_id = $1 AND name = $2 RETURNING 1),
                   d AS (DELETE FROM detached_subscriptions WHERE vaultbox_id = $1 AND name = $2 RETURNING 1)
              SELECT (SELECT count(*) FROM m) + (SELECT count(*) FROM d)
              """);
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(mailbox);
        if ((long)(await command.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            throw ImapException.No("No such mailbox", "NONEXISTENT");
        }
    }
}

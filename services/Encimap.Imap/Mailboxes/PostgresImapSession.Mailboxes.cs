using Encimap.Imap.Protocol;
using Npgsql;

namespace Encimap.Imap;

// LIST, CREATE, DELETE, RENAME and SUBSCRIBE: the vaultbox's mailboxes.
public sealed partial class PostgresImapSession
{
    public async Task<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT name, special_use, subscribed FROM mailboxes WHERE vaultbox_id = $1");
        command.Parameters.AddWithValue(_vaultbox);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<MailboxInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new MailboxInfo(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetBoolean(2)));
        }

        return list;
    }

    public async Task CreateAsync(string mailbox, CancellationToken cancellationToken)
    {
        if (mailbox == "INBOX")
        {
            throw ImapException.No("INBOX exists", "ALREADYEXISTS");
        }

        await using var command = database.CreateCommand("INSERT INTO mailboxes (vaultbox_id, name, uid_validity) VALUES ($1, $2, $3)");
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(mailbox);
        command.Parameters.AddWithValue(NewUidValidity());
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

        await using var command = database.CreateCommand("DELETE FROM mailboxes WHERE vaultbox_id = $1 AND name = $2 AND special_use IS NULL RETURNING id");
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(mailbox);
        if (await command.ExecuteScalarAsync(cancellationToken) is null)
        {
            var exists = (await ListMailboxesAsync(cancellationToken)).Any(m => m.Name == mailbox);
            throw exists ? ImapException.No("Special-use folders cannot be deleted", "CANNOT") : ImapException.No("No such mailbox", "NONEXISTENT");
        }
    }

    public async Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        if (from == "INBOX" || to == "INBOX")
        {
            throw ImapException.No("INBOX cannot be renamed", "CANNOT");
        }

        await using var command = database.CreateCommand(
            """
            UPDATE mailboxes SET name = $3 || substr(name, length($2) + 1)
            WHERE vaultbox_id = $1 AND (name = $2 OR starts_with(name, $2 || '/'))
            """);
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
        try
        {
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
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
        await using var command = database.CreateCommand("UPDATE mailboxes SET subscribed = $3 WHERE vaultbox_id = $1 AND name = $2");
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(mailbox);
        command.Parameters.AddWithValue(subscribed);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw ImapException.No("No such mailbox", "NONEXISTENT");
        }
    }
}

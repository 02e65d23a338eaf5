using Encimap.Api.Infrastructure;
using Npgsql;

namespace Encimap.Api.Vaultboxes;

/// <summary>Vaultbox rows, always scoped by the owning user: another user's id reads as absent.</summary>
public sealed class VaultboxStore([FromKeyedServices(ApiDatabases.Encimap)] NpgsqlDataSource database)
{
    // The folders every vaultbox has from the start, with their RFC 6154 special-use attributes.
    private static readonly (string Name, string? SpecialUse)[] DefaultMailboxes =
    [
        ("INBOX", null), ("Sent", "\\Sent"), ("Drafts", "\\Drafts"),
        ("Trash", "\\Trash"), ("Junk", "\\Junk"), ("Archive", "\\Archive"),
    ];

    private const string SelectColumns = """
        SELECT v.id, v.domain, v.alias, v.name,
               EXISTS (SELECT 1 FROM vaultbox_certs c WHERE c.vaultbox_id = v.id AND c.status = 'active'),
               (SELECT count(*) FROM messages m WHERE m.vaultbox_id = v.id),
               v.created_at, v.dmarc_enforcement
        FROM vaultboxes v
        """;

    /// <summary>Inserts the vaultbox, its route and its folders in <paramref name="transaction"/>.</summary>
    public async Task<Guid> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid userId, string alias, string domain, string? name, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Command(
            "INSERT INTO vaultboxes (id, user_id, domain, alias, name) VALUES ($1, $2, $3, $4, $5)",
            id, userId, domain, alias, (object?)name ?? DBNull.Value));
        batch.BatchCommands.Add(Command(
            "INSERT INTO mail_routes (address, vaultbox_id, active) VALUES ($1, $2, true)", $"{alias}@{domain}", id));
        var uidValidity = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var (mailbox, specialUse) in DefaultMailboxes)
        {
            batch.BatchCommands.Add(Command(
                "INSERT INTO mailboxes (vaultbox_id, name, special_use, uid_validity) VALUES ($1, $2, $3, $4)",
                id, mailbox, (object?)specialUse ?? DBNull.Value, uidValidity));
        }

        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new AddressTakenException($"{alias}@{domain}");
        }

        return id;
    }

    public async Task<IReadOnlyList<VaultboxRecord>> ListAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(SelectColumns + " WHERE v.user_id = $1 ORDER BY v.created_at, v.id", connection);
        command.Parameters.AddWithValue(userId);
        return await ReadAllAsync(command, cancellationToken);
    }

    public async Task<VaultboxRecord?> GetAsync(Guid userId, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(SelectColumns + " WHERE v.user_id = $1 AND v.id = $2", connection);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue(id);
        return (await ReadAllAsync(command, cancellationToken)).SingleOrDefault();
    }

    public async Task<VaultboxRecord?> FindByAddressAsync(Guid userId, string alias, string domain, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(SelectColumns + " WHERE v.user_id = $1 AND v.alias = $2 AND v.domain = $3", connection);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue(alias);
        command.Parameters.AddWithValue(domain);
        return (await ReadAllAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>
    /// Sets the vaultbox's DMARC enforcement (<see cref="DmarcEnforcementSetting"/>; null: the
    /// deployment's). False when the caller has no such vaultbox.
    /// </summary>
    public async Task<bool> SetDmarcEnforcementAsync(Guid userId, Guid id, string? enforcement, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("UPDATE vaultboxes SET dmarc_enforcement = $3 WHERE user_id = $1 AND id = $2", connection);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue(id);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)enforcement ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Deletes the vaultbox; every table that belongs to it (route, credentials, certificates,
    /// wrapped keys, folders, messages, logs, queued mail) cascades in the same statement, so one
    /// transaction removes all of it. It takes the vaultbox's write lock first, as every writer of
    /// its mail does (lock_vaultbox_mail, migration 0014), so that it cannot deadlock with an IMAP
    /// command or a delivery that is changing the same rows.
    /// </summary>
    /// <returns>Whether it existed, and its login username (for caches to forget).</returns>
    public async Task<(bool Deleted, string? Username)> DeleteAsync(Guid userId, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Command("SELECT lock_vaultbox_mail($1)", id),
                Command("DELETE FROM vaultboxes WHERE user_id = $1 AND id = $2 RETURNING username", userId, id),
            },
        };
        (bool, string?) result;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            await reader.NextResultAsync(cancellationToken);
            result = await reader.ReadAsync(cancellationToken)
                ? (true, reader.IsDBNull(0) ? null : reader.GetString(0))
                : (false, null);
        }

        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    private static async Task<IReadOnlyList<VaultboxRecord>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<VaultboxRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new VaultboxRecord(
                reader.GetGuid(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetBoolean(4),
                reader.GetInt64(5),
                reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return rows;
    }
}

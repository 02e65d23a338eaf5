using Encimap.Api.Infrastructure;
using Encimap.Passwords;
using Npgsql;

namespace Encimap.Api.Credentials;

/// <summary>
/// IMAP and SMTP credentials of vaultboxes. Both kinds of one vaultbox share its username: the
/// first credential created generates it (<c>encimap-{domain-with-dashes}-{6 random}</c>) and
/// stores it on the vaultbox, the other kind reuses it. Passwords are generated here, stored
/// only as bcrypt hashes, and returned once.
/// </summary>
public sealed class CredentialStore([FromKeyedServices(ApiDatabases.Encimap)] NpgsqlDataSource database, IPasswordHasher hasher)
{
    private const int UsernameAttempts = 5;

    /// <summary>Creates the credential; null when the vaultbox already has one of this kind.</summary>
    public async Task<(CredentialRecord Record, string Password)?> CreateAsync(
        Guid vaultboxId, string domain, CredentialKind kind, CancellationToken cancellationToken)
    {
        var password = PasswordGenerator.Generate();
        var hash = hasher.Hash(password);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var username = await EnsureUsernameAsync(connection, transaction, vaultboxId, domain, cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO {CredentialTables.For(kind)} (vaultbox_id, username, password_hash) VALUES ($1, $2, $3)
            ON CONFLICT (vaultbox_id) DO NOTHING
            RETURNING id, username, created_at, updated_at
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue(vaultboxId);
        command.Parameters.AddWithValue(username);
        command.Parameters.AddWithValue(hash);
        var record = await ReadOneAsync(command, cancellationToken);
        if (record is null)
        {
            return null;
        }

        await transaction.CommitAsync(cancellationToken);
        return (record, password);
    }

    /// <summary>Sets a new password, keeping the username; null when there is no credential.</summary>
    public async Task<(CredentialRecord Record, string Password)?> RegenerateAsync(
        Guid vaultboxId, CredentialKind kind, CancellationToken cancellationToken)
    {
        var password = PasswordGenerator.Generate();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            UPDATE {CredentialTables.For(kind)} SET password_hash = $2 WHERE vaultbox_id = $1
            RETURNING id, username, created_at, updated_at
            """,
            connection);
        command.Parameters.AddWithValue(vaultboxId);
        command.Parameters.AddWithValue(hasher.Hash(password));
        var record = await ReadOneAsync(command, cancellationToken);
        return record is null ? null : (record, password);
    }

    public async Task<CredentialRecord?> GetAsync(Guid vaultboxId, CredentialKind kind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT id, username, created_at, updated_at FROM {CredentialTables.For(kind)} WHERE vaultbox_id = $1",
            connection);
        command.Parameters.AddWithValue(vaultboxId);
        return await ReadOneAsync(command, cancellationToken);
    }

    /// <summary>Deletes the credential; the username it returns is what caches must forget.</summary>
    public async Task<string?> DeleteAsync(Guid vaultboxId, CredentialKind kind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"DELETE FROM {CredentialTables.For(kind)} WHERE vaultbox_id = $1 RETURNING username", connection);
        command.Parameters.AddWithValue(vaultboxId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>The usernames of a vaultbox's credentials (to forget them in caches before it is deleted).</summary>
    public async Task<string?> GetUsernameAsync(Guid vaultboxId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT username FROM vaultboxes WHERE id = $1", connection);
        command.Parameters.AddWithValue(vaultboxId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    // The vaultbox row is locked so two concurrent first credentials agree on one username.
    private static async Task<string> EnsureUsernameAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid vaultboxId, string domain, CancellationToken cancellationToken)
    {
        await using (var select = new NpgsqlCommand("SELECT username FROM vaultboxes WHERE id = $1 FOR UPDATE", connection, transaction))
        {
            select.Parameters.AddWithValue(vaultboxId);
            if (await select.ExecuteScalarAsync(cancellationToken) is string existing)
            {
                return existing;
            }
        }

        for (var attempt = 1; ; attempt++)
        {
            var candidate = UsernameGenerator.Generate(domain);
            await using var savepoint = new NpgsqlCommand("SAVEPOINT username", connection, transaction);
            await savepoint.ExecuteNonQueryAsync(cancellationToken);
            await using var update = new NpgsqlCommand("UPDATE vaultboxes SET username = $2 WHERE id = $1", connection, transaction);
            update.Parameters.AddWithValue(vaultboxId);
            update.Parameters.AddWithValue(candidate);
            try
            {
                await update.ExecuteNonQueryAsync(cancellationToken);
                return candidate;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && attempt < UsernameAttempts)
            {
                await using var rollback = new NpgsqlCommand("ROLLBACK TO SAVEPOINT username", connection, transaction);
                await rollback.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    private static async Task<CredentialRecord?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new CredentialRecord(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }
}

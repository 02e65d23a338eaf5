using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Encimap.Database;

/// <summary>
/// Applies a <see cref="MigrationSet"/> to a database, each pending migration in its own
/// transaction together with its row in <c>schema_migrations</c>. Runners on the same database
/// are serialized by a session advisory lock. Before anything is applied, the recorded history
/// is checked against the set: a changed checksum or name, a recorded version that the set does
/// not know, or a pending version older than an applied one are errors.
/// </summary>
public sealed class MigrationRunner
{
    /// <summary>The advisory lock key (advisory locks are per database).</summary>
    public const long LockKey = 0x456E_6369_6D61_704D; // "EncimapM"

    private const string CreateHistoryTable =
        """
        CREATE TABLE IF NOT EXISTS public.schema_migrations (
            version     integer     PRIMARY KEY,
            name        text        NOT NULL,
            checksum    text        NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now()
        )
        """;

    private readonly ILogger _logger;

    /// <summary>Creates a runner.</summary>
    public MigrationRunner(ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Applies the pending migrations of <paramref name="migrations"/> with <paramref name="connectionString"/>
    /// (the database owner) and returns which were applied now.
    /// </summary>
    public async Task<MigrationResult> ApplyAsync(string connectionString, MigrationSet migrations, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentNullException.ThrowIfNull(migrations);

        // A dedicated, unpooled session: the session advisory lock dies with it whatever happens.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({LockKey})", cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, null, CreateHistoryTable, cancellationToken).ConfigureAwait(false);
            var recorded = await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false);
            var pending = CheckHistory(migrations, recorded);

            var applied = new List<Migration>();
            foreach (var migration in pending)
            {
                await ApplyOneAsync(connection, migrations.Name, migration, cancellationToken).ConfigureAwait(false);
                applied.Add(migration);
            }
            if (applied.Count == 0)
            {
                _logger.LogDebug("Migrations {Set}: up to date at version {Version}", migrations.Name, recorded.Keys.DefaultIfEmpty(0).Max());
            }
            return new MigrationResult(migrations.Name, applied, recorded.Keys.Order().ToList());
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static List<Migration> CheckHistory(MigrationSet migrations, Dictionary<int, (string Name, string Checksum)> recorded)
    {
        var known = migrations.Migrations.ToDictionary(m => m.Version);
        foreach (var (version, (name, checksum)) in recorded.OrderBy(r => r.Key))
        {
            if (!known.TryGetValue(version, out var migration))
            {
                throw new MigrationException(
                    $"Migrations {migrations.Name}: the database has version {version:D4} ({name}) applied, which this build does not know. " +
                    "The database is newer than the code.", version);
            }
            if (migration.Name != name)
            {
                throw new MigrationException(
                    $"Migrations {migrations.Name}: version {version:D4} was applied as '{name}' but is now named '{migration.Name}'.", version);
            }
            if (!string.Equals(migration.Checksum, checksum, StringComparison.Ordinal))
            {
                throw new MigrationException(
                    $"Migrations {migrations.Name}: {migration.FileName} was changed after it was applied " +
                    $"(recorded checksum {checksum}, file checksum {migration.Checksum}). " +
                    "Applied migrations are immutable: add a new migration instead.", version);
            }
        }
        var pending = migrations.Migrations.Where(m => !recorded.ContainsKey(m.Version)).ToList();
        if (pending.Count > 0 && recorded.Count > 0 && pending[0].Version < recorded.Keys.Max())
        {
            throw new MigrationException(
                $"Migrations {migrations.Name}: {pending[0].FileName} is pending but the later version {recorded.Keys.Max():D4} is already applied. " +
                "Renumber the new migration after the applied ones.", pending[0].Version);
        }
        return pending;
    }

    private async Task ApplyOneAsync(NpgsqlConnection connection, string setName, Migration migration, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            await using (var record = new NpgsqlCommand(
                "INSERT INTO public.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
                record.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
                record.Parameters.Add(new NpgsqlParameter { Value = migration.Checksum });
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            try
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception rollbackError) when (rollbackError is NpgsqlException or InvalidOperationException)
            {
                // The connection is broken; the server rolls back on its own.
            }
            var detail = ex is PostgresException pg
                ? $"{pg.SqlState}: {pg.MessageText}{(pg.Position > 0 ? $" (at character {pg.Position})" : "")}"
                : ex.Message;
            throw new MigrationException(
                $"Migrations {setName}: {migration.FileName} failed and was rolled back: {detail}", migration.Version, ex);
        }
        _logger.LogInformation("Migrations {Set}: applied {Migration} in {Elapsed} ms", setName, migration.FileName, stopwatch.ElapsedMilliseconds);
    }

    private static async Task<Dictionary<int, (string Name, string Checksum)>> ReadHistoryAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var history = new Dictionary<int, (string, string)>();
        await using var command = new NpgsqlCommand("SELECT version, name, checksum FROM public.schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            history[reader.GetInt32(0)] = (reader.GetString(1), reader.GetString(2));
        }
        return history;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

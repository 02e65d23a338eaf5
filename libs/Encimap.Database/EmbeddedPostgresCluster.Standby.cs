using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Encimap.Database;

/// <summary>A streaming-replication standby of another embedded cluster.</summary>
public sealed partial class EmbeddedPostgresCluster
{
    /// <summary>
    /// Prepares a hot standby of the running primary that <paramref name="source"/> names, in the
    /// directory of <paramref name="options"/>, without starting it (the supervisor runs
    /// <see cref="ServerCommand"/>): on first use the replication role and slot are made on the
    /// primary and the data directory is cloned with <c>pg_basebackup -R</c> (which writes
    /// <c>standby.signal</c> and <c>primary_conninfo</c>); afterwards the existing standby is
    /// reused and catches up from its slot. A directory whose standby was promoted is refused:
    /// it is a primary of its own now, and streaming from the old one would fork the history.
    /// </summary>
    public static async Task<EmbeddedPostgresCluster> PrepareStandbyAsync(
        EmbeddedPostgresOptions options, StreamingReplicationSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        var cluster = await CreateAsync(options, cancellationToken).ConfigureAwait(false);
        cluster.MajorVersion = await cluster.ReadBinaryMajorVersionAsync(cancellationToken).ConfigureAwait(false);
        if (File.Exists(Path.Combine(cluster.DataDirectory, "PG_VERSION")))
        {
            if (!File.Exists(Path.Combine(cluster.DataDirectory, "standby.signal")))
            {
                throw new InvalidOperationException(
                    $"'{cluster.DataDirectory}' is no longer a standby (it was promoted): it cannot follow the primary again. " +
                    "Delete its directory to clone the primary afresh.");
            }
            // PrepareCoreAsync checks the version and stops a server left running on it.
            await cluster.PrepareCoreAsync(adoptRunning: false, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await cluster.CloneAsync(source, cancellationToken).ConfigureAwait(false);
            cluster.Created = true;
        }
        cluster._stopped = true;
        return cluster;
    }

    private async Task CloneAsync(StreamingReplicationSource source, CancellationToken cancellationToken)
    {
        if (System.IO.Directory.Exists(DataDirectory) && System.IO.Directory.EnumerateFileSystemEntries(DataDirectory).Any())
        {
            throw new InvalidOperationException(
                $"'{DataDirectory}' is not empty but holds no PostgreSQL cluster (no PG_VERSION); refusing to touch it.");
        }
        var primary = new NpgsqlConnectionStringBuilder(source.PrimarySuperuserConnectionString) { Pooling = false };
        await PrepareReplicationOnPrimaryAsync(primary.ConnectionString, source, cancellationToken).ConfigureAwait(false);

        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(LogFile)!);
        System.IO.Directory.CreateDirectory(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // A clone has the primary's superuser and its password.
        SuperuserPassword = primary.Password ?? throw new ArgumentException("The primary's connection string has no password.", nameof(source));
        WriteSecretFile(PasswordFile, SuperuserPassword + "\n");
        if (Environment.IsPrivilegedProcess)
        {
            await RunCheckedAsync(
                [ExternalCommand.FindSystemTool("chown"), $"{ServiceUser}:", DataDirectory, Path.GetDirectoryName(LogFile)!],
                TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }

        // -R writes standby.signal and primary_conninfo (with this connection's application_name,
        // which synchronous_standby_names matches) into postgresql.auto.conf; -C -S makes the slot
        // that keeps the WAL written during and after the copy; -c fast does not wait for a
        // spread checkpoint. The password goes in the environment, never on a command line.
        var conninfo = string.Create(CultureInfo.InvariantCulture,
            $"host={primary.Host} port={primary.Port} user={source.ReplicationRole} application_name={source.ApplicationName}");
        var args = new List<string>
        {
            Path.Combine(_binDirectory, "pg_basebackup"),
            "-d", conninfo,
            "-D", DataDirectory,
            "-X", "stream",
            "-c", "fast",
            "-R",
            "-C", "-S", source.SlotName,
            "--no-password",
        };
        if (!_options.Fsync)
        {
            args.Add("--no-sync");
        }
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var result = await ExternalCommand.RunAsync(AsServiceUser(args, newSession: false), TimeSpan.FromMinutes(10), cancellationToken,
            new Dictionary<string, string> { ["PGPASSWORD"] = source.ReplicationPassword }).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_basebackup failed (exit code {result.ExitCode}):\n{result.Output}");
        }
        _logger.LogInformation("standby cloned from {Host}:{Port} into {DataDirectory} in {Elapsed} ms",
            primary.Host, primary.Port, DataDirectory, stopwatch.ElapsedMilliseconds);
    }

    /// <summary>
    /// The replication role (made or its password reset) and no slot of the standby's name left
    /// from an earlier clone, so that pg_basebackup -C can make it afresh. The role's commit is
    /// local only: a primary that already lists the standby in synchronous_standby_names would
    /// otherwise wait for the very standby this is cloning.
    /// </summary>
    private static async Task PrepareReplicationOnPrimaryAsync(
        string primaryConnectionString, StreamingReplicationSource source, CancellationToken cancellationToken)
    {
        var role = SqlText.QuoteIdentifier(source.ReplicationRole);
        SqlText.ValidateIdentifier(source.SlotName, "slot name");
        var secret = SqlText.QuoteLiteral(ScramVerifier.TryCreate(source.ReplicationPassword) ?? source.ReplicationPassword);
        await using var connection = new NpgsqlConnection(primaryConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var local = new NpgsqlCommand("SET LOCAL synchronous_commit = local", connection, transaction))
        {
            await local.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        bool exists;
        await using (var query = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = $1", connection, transaction))
        {
            query.Parameters.Add(new NpgsqlParameter { Value = source.ReplicationRole });
            exists = await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
        }
        var statement = $"{(exists ? "ALTER" : "CREATE")} ROLE {role} LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {secret}";
        await using (var command = new NpgsqlCommand(statement, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        // Slots are not transactional: this waits for no standby.
        await using var drop = new NpgsqlCommand(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active", connection);
        drop.Parameters.Add(new NpgsqlParameter { Value = source.SlotName });
        await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

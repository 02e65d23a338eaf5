using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Encimap.Database;

/// <summary>
/// Creates, idempotently and with least privilege, the roles and databases of SPEC.md:
/// <list type="bullet">
/// <item><c>encimap</c> owns the Encimap database (and runs its migrations);</item>
/// <item><c>motorical</c> owns the platform database (and runs its migrations);</item>
/// <item><c>encimap_app</c>: CONNECT to the Encimap database, SELECT/INSERT/UPDATE/DELETE on its
/// tables and USAGE/SELECT/UPDATE on its sequences (through ALTER DEFAULT PRIVILEGES FOR ROLE
/// encimap, so tables of later migrations are covered), no DDL;</item>
/// <item><c>encimap_platform_reader</c>: CONNECT to the platform database, SELECT on users, domains
/// and motor_blocks only (<see cref="ApplyPostMigrationGrantsAsync"/>, once migrations created them).</item>
/// </list>
/// PUBLIC loses CONNECT/TEMPORARY on both databases and every privilege on their public schema.
/// </summary>
public sealed class DatabaseProvisioner
{
    // Serializes concurrent provisioners on one cluster (advisory locks are per database: all
    // provisioners take it in the maintenance database of the superuser connection string).
    private const long ProvisioningLockKey = 0x456E_6369_6D61_7050; // "EncimapP"

    private readonly ILogger _logger;

    /// <summary>Creates a provisioner.</summary>
    public DatabaseProvisioner(ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Provision, migrate both databases with the embedded migrations (as their owners), then
    /// apply the post-migration grants: everything the AppHost needs in one call.
    /// </summary>
    public async Task<DatabaseSetup> SetUpAsync(
        string superuserConnectionString, ProvisioningOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ProvisioningOptions();
        var databases = await ProvisionAsync(superuserConnectionString, options, cancellationToken).ConfigureAwait(false);
        var runner = new MigrationRunner(_logger);
        var encimap = await runner.ApplyAsync(databases.EncimapOwnerConnectionString, MigrationSet.Encimap, cancellationToken).ConfigureAwait(false);
        var platform = await runner.ApplyAsync(databases.PlatformOwnerConnectionString, MigrationSet.Platform, cancellationToken).ConfigureAwait(false);
        await ApplyPostMigrationGrantsAsync(superuserConnectionString, options, cancellationToken).ConfigureAwait(false);
        return new DatabaseSetup(databases, encimap, platform);
    }

    /// <summary>
    /// Creates or updates the four roles (setting their passwords), creates the two databases if
    /// missing, and applies database, schema and default privileges. Safe to run again.
    /// </summary>
    public async Task<ProvisionedDatabases> ProvisionAsync(
        string superuserConnectionString, ProvisioningOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(superuserConnectionString);
        options ??= new ProvisioningOptions();
        options.Validate();
        var passwords = options.Passwords ?? (options.EnsureRoles
            ? RolePasswords.Generate()
            : throw new ArgumentException("EnsureRoles = false needs the roles' Passwords.", nameof(options)));

        var maintenance = Unpooled(superuserConnectionString, database: null);
        await using var connection = new NpgsqlConnection(maintenance);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({ProvisioningLockKey})", cancellationToken).ConfigureAwait(false);
        try
        {
            if (options.EnsureRoles)
            {
                await EnsureRoleAsync(connection, options.EncimapOwnerRole, passwords.EncimapOwner, cancellationToken).ConfigureAwait(false);
                await EnsureRoleAsync(connection, options.EncimapAppRole, passwords.EncimapApp, cancellationToken).ConfigureAwait(false);
                await EnsureRoleAsync(connection, options.PlatformOwnerRole, passwords.PlatformOwner, cancellationToken).ConfigureAwait(false);
                await EnsureRoleAsync(connection, options.PlatformReaderRole, passwords.PlatformReader, cancellationToken).ConfigureAwait(false);
            }

            // The two databases are independent: create them side by side (a template copy is
            // mostly I/O), the platform one on a second session.
            var platformTask = Task.Run(async () =>
            {
                await using var second = new NpgsqlConnection(maintenance);
                await second.OpenAsync(cancellationToken).ConfigureAwait(false);
                return await EnsureDatabaseAsync(
                    second, options.PlatformDatabase, options.PlatformOwnerRole, options.PlatformTemplate, options.CreateStrategy, cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
            bool encimapCopied;
            try
            {
                encimapCopied = await EnsureDatabaseAsync(
                    connection, options.EncimapDatabase, options.EncimapOwnerRole, options.EncimapTemplate, options.CreateStrategy, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Never leave the second session running behind an exception.
                await Task.WhenAny(platformTask).ConfigureAwait(false);
            }
            var platformCopied = await platformTask.ConfigureAwait(false);

            var encimapDb = SqlText.QuoteIdentifier(options.EncimapDatabase);
            var platformDb = SqlText.QuoteIdentifier(options.PlatformDatabase);
            var encimapOwner = SqlText.QuoteIdentifier(options.EncimapOwnerRole);
            var encimapApp = SqlText.QuoteIdentifier(options.EncimapAppRole);
            var platformOwner = SqlText.QuoteIdentifier(options.PlatformOwnerRole);
            var platformReader = SqlText.QuoteIdentifier(options.PlatformReaderRole);

            // Database level (not copied from a template: always applied).
            await ExecuteAsync(connection,
                $"""
                REVOKE ALL ON DATABASE {encimapDb} FROM PUBLIC;
                GRANT CONNECT ON DATABASE {encimapDb} TO {encimapApp};
                REVOKE ALL ON DATABASE {platformDb} FROM PUBLIC;
                GRANT CONNECT ON DATABASE {platformDb} TO {platformReader};
                """, cancellationToken).ConfigureAwait(false);

            // Inside each database: default privileges and schema privileges are per database.
            if (!encimapCopied)
            {
                await ExecuteInDatabaseAsync(superuserConnectionString, options.EncimapDatabase,
                    $"""
                    ALTER SCHEMA public OWNER TO {encimapOwner};
                    REVOKE ALL ON SCHEMA public FROM PUBLIC;
                    GRANT USAGE ON SCHEMA public TO {encimapApp};
                    ALTER DEFAULT PRIVILEGES FOR ROLE {encimapOwner} IN SCHEMA public
                        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {encimapApp};
                    ALTER DEFAULT PRIVILEGES FOR ROLE {encimapOwner} IN SCHEMA public
                        GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {encimapApp};
                    ALTER DEFAULT PRIVILEGES FOR ROLE {encimapOwner} IN SCHEMA public
                        GRANT EXECUTE ON FUNCTIONS TO {encimapApp};
                    """, cancellationToken).ConfigureAwait(false);
            }
            if (!platformCopied)
            {
                await ExecuteInDatabaseAsync(superuserConnectionString, options.PlatformDatabase,
                    $"""
                    ALTER SCHEMA public OWNER TO {platformOwner};
                    REVOKE ALL ON SCHEMA public FROM PUBLIC;
                    GRANT USAGE ON SCHEMA public TO {platformReader};
                    """, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({ProvisioningLockKey})", CancellationToken.None).ConfigureAwait(false);
        }

        _logger.LogInformation("Provisioned databases {EncimapDatabase} and {PlatformDatabase}", options.EncimapDatabase, options.PlatformDatabase);
        return new ProvisionedDatabases(
            options.EncimapDatabase,
            options.PlatformDatabase,
            ForRole(superuserConnectionString, options.EncimapDatabase, options.EncimapOwnerRole, passwords.EncimapOwner),
            ForRole(superuserConnectionString, options.EncimapDatabase, options.EncimapAppRole, passwords.EncimapApp),
            ForRole(superuserConnectionString, options.PlatformDatabase, options.PlatformOwnerRole, passwords.PlatformOwner),
            ForRole(superuserConnectionString, options.PlatformDatabase, options.PlatformReaderRole, passwords.PlatformReader));
    }

    /// <summary>
    /// Grants that need the migrated tables: SELECT on the readable platform tables to the
    /// platform reader (fails if one is missing), data privileges on every existing Encimap table
    /// and sequence to the app role (for tables created before the default privileges existed),
    /// and only SELECT on schema_migrations. Safe to run again.
    /// </summary>
    public async Task ApplyPostMigrationGrantsAsync(
        string superuserConnectionString, ProvisioningOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ProvisioningOptions();
        options.Validate();
        var encimapApp = SqlText.QuoteIdentifier(options.EncimapAppRole);
        var platformReader = SqlText.QuoteIdentifier(options.PlatformReaderRole);

        await ExecuteInDatabaseAsync(superuserConnectionString, options.EncimapDatabase,
            $"""
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {encimapApp};
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {encimapApp};
            DO $$
            BEGIN
                IF to_regclass('public.schema_migrations') IS NOT NULL THEN
                    REVOKE ALL ON TABLE public.schema_migrations FROM {encimapApp};
                    GRANT SELECT ON TABLE public.schema_migrations TO {encimapApp};
                END IF;
            END
            $$;
            """, cancellationToken).ConfigureAwait(false);

        var tables = string.Join(", ", options.PlatformReadableTables.Select(t => "public." + SqlText.QuoteIdentifier(t)));
        try
        {
            await ExecuteInDatabaseAsync(superuserConnectionString, options.PlatformDatabase,
                $"GRANT SELECT ON TABLE {tables} TO {platformReader};", cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            throw new InvalidOperationException(
                $"Cannot grant {options.PlatformReaderRole} SELECT on {tables} in {options.PlatformDatabase}: {ex.MessageText}. " +
                "Run the platform migrations first.", ex);
        }
    }

    /// <summary>Drops the two databases (terminating their sessions). Roles are shared and kept.</summary>
    public async Task DropDatabasesAsync(
        string superuserConnectionString, string encimapDatabase, string platformDatabase, CancellationToken cancellationToken = default)
    {
        var maintenance = Unpooled(superuserConnectionString, database: null);
        await using var connection = new NpgsqlConnection(maintenance);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var name in new[] { encimapDatabase, platformDatabase })
        {
            await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {SqlText.QuoteIdentifier(name)} WITH (FORCE)", cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task EnsureRoleAsync(NpgsqlConnection connection, string role, string password, CancellationToken cancellationToken)
    {
        var quotedRole = SqlText.QuoteIdentifier(role);
        // Role passwords cannot be parameters: send a SCRAM verifier computed here, so that the
        // plaintext never reaches the server (or its statement log).
        var secret = SqlText.QuoteLiteral(ScramVerifier.TryCreate(password) ?? password);
        const string attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT";
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = role });
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                try
                {
                    await ExecuteAsync(connection, $"CREATE ROLE {quotedRole} {attributes} PASSWORD {secret}", cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
                {
                    // Created meanwhile by someone not holding our lock: update it below.
                }
            }
        }
        await ExecuteAsync(connection, $"ALTER ROLE {quotedRole} {attributes} PASSWORD {secret}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the database if missing; true when it was created now as a template copy.</summary>
    private async Task<bool> EnsureDatabaseAsync(
        NpgsqlConnection connection, string database, string owner, string? template, string? strategy, CancellationToken cancellationToken)
    {
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = database });
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                await ExecuteAsync(connection, $"ALTER DATABASE {SqlText.QuoteIdentifier(database)} OWNER TO {SqlText.QuoteIdentifier(owner)}", cancellationToken)
                    .ConfigureAwait(false);
                return false;
            }
        }
        var sql = $"CREATE DATABASE {SqlText.QuoteIdentifier(database)} OWNER {SqlText.QuoteIdentifier(owner)}";
        if (template is not null)
        {
            sql += $" TEMPLATE {SqlText.QuoteIdentifier(template)}";
        }
        if (strategy is not null)
        {
            sql += $" STRATEGY {strategy}";
        }
        try
        {
            await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            return false;
        }
        _logger.LogDebug("Created database {Database}{Template}", database, template is null ? "" : " from " + template);
        return template is not null;
    }

    private static async Task ExecuteInDatabaseAsync(string superuserConnectionString, string database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Unpooled(superuserConnectionString, database));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A connection string for provisioning work: never pooled, so no idle session blocks a later CREATE/DROP DATABASE.</summary>
    private static string Unpooled(string connectionString, string? database)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        if (database is not null)
        {
            builder.Database = database;
        }
        else if (string.IsNullOrEmpty(builder.Database))
        {
            builder.Database = "postgres";
        }
        return builder.ConnectionString;
    }

    private static string ForRole(string superuserConnectionString, string database, string role, string password) =>
        new NpgsqlConnectionStringBuilder(superuserConnectionString)
        {
            Database = database,
            Username = role,
            Password = password,
        }.ConnectionString;
}

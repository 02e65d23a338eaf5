using Npgsql;

namespace Encimap.Testing;

/// <summary>The fleet's databases, as the tests read and arrange them.</summary>
public partial class EncimapFleet
{
    /// <summary>The application name of the tests' own database sessions.</summary>
    private const string TestsApplicationName = "encimap-tests";

    /// <summary>The encimap database as its owner (tests read and arrange rows with it).</summary>
    public string EncimapOwnerConnectionString => Database("motorical_encrypted_imap", "encimap", Secrets.Get("postgres-encimap-owner"));

    /// <summary>The encimap database as the services' role sees it (no DDL).</summary>
    public string EncimapAppConnectionString => Database("motorical_encrypted_imap", "encimap_app", Secrets.Get("postgres-encimap-app"));

    /// <summary>The platform database as its owner (tests add users, domains, MotorBlocks with it).</summary>
    public string PlatformOwnerConnectionString => Database("motorical_db", "motorical", Secrets.Get("postgres-platform-owner"));

    /// <summary>The embedded cluster's superuser, for what only it may do (take a database away).</summary>
    public string SuperuserConnectionString => Database("postgres", "postgres",
        File.ReadAllText(Path.Combine(StateDirectory, "postgres", "superuser.password")).Trim());

    /// <summary>Runs a statement on the encimap database as its owner; returns the rows it touched.</summary>
    public async Task<int> ExecuteAsync(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(EncimapOwnerConnectionString);
        await connection.OpenAsync();
        await using var command = Command(sql, connection, values);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first value a query on the encimap database (as its owner) answers.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(EncimapOwnerConnectionString);
        await connection.OpenAsync();
        await using var command = Command(sql, connection, values);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Adds a platform user with one domain (verified unless told otherwise); returns the user's id and the domain.</summary>
    public async Task<(Guid UserId, string Domain)> AddUserWithDomainAsync(string verification = "verified")
    {
        var userId = Guid.NewGuid();
        var domain = NewDomain("t");
        await using var connection = new NpgsqlConnection(PlatformOwnerConnectionString);
        await connection.OpenAsync();
        await using (var user = new NpgsqlCommand("INSERT INTO users (id, email) VALUES ($1, $2)", connection))
        {
            user.Parameters.AddWithValue(userId);
            user.Parameters.AddWithValue($"owner@{domain}");
            await user.ExecuteNonQueryAsync();
        }

        await InsertDomainAsync(connection, userId, domain, verification);
        return (userId, domain);
    }

    /// <summary>Adds another domain to a platform user; returns it.</summary>
    public async Task<string> AddDomainAsync(Guid userId, string verification)
    {
        var domain = NewDomain("d");
        await using var connection = new NpgsqlConnection(PlatformOwnerConnectionString);
        await connection.OpenAsync();
        await InsertDomainAsync(connection, userId, domain, verification);
        return domain;
    }

    /// <summary>
    /// Takes the encimap database away from the services, or gives it back: no new connections,
    /// and (when taking it away) the services' open sessions ended, those of <paramref name="applicationName"/>
    /// only when given (the tests' own sessions stay). Returns how many sessions were ended.
    /// </summary>
    public async Task<long> SetEncimapConnectionsAllowedAsync(bool allowed, string? applicationName = null)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(SuperuserConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using (var alter = new NpgsqlCommand($"ALTER DATABASE motorical_encrypted_imap WITH ALLOW_CONNECTIONS {(allowed ? "true" : "false")}", connection))
        {
            await alter.ExecuteNonQueryAsync();
        }

        if (allowed)
        {
            return 0;
        }

        await using var terminate = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'motorical_encrypted_imap' AND application_name <> $2 AND ($1::text IS NULL OR application_name = $1)",
            connection);
        terminate.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)applicationName ?? DBNull.Value);
        terminate.Parameters.AddWithValue(TestsApplicationName);
        return (long)(await terminate.ExecuteScalarAsync())!;
    }

    private static NpgsqlCommand Command(string sql, NpgsqlConnection connection, object[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        return command;
    }

    private static string NewDomain(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..13] + ".example";

    private static async Task InsertDomainAsync(NpgsqlConnection connection, Guid userId, string domain, string verification)
    {
        await using var command = new NpgsqlCommand("INSERT INTO domains (user_id, domain, verification_status) VALUES ($1, $2, $3)", connection);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue(domain);
        command.Parameters.AddWithValue(verification);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The embedded primary's postmaster process id (from its <c>postmaster.pid</c>).</summary>
    public int PostgresPrimaryPid => int.Parse(
        File.ReadLines(Path.Combine(StateDirectory, "postgres", "data", "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The standby's superuser (a clone has the primary's password), for promoting it.</summary>
    public string StandbySuperuserConnectionString => new NpgsqlConnectionStringBuilder(SuperuserConnectionString)
    {
        Host = "127.0.0.1",
        Port = Port(55433),
        TargetSessionAttributes = "any",
        Pooling = false,
    }.ConnectionString;

    /// <summary>
    /// With the standby, both hosts and the primary only, as the services connect: a test's
    /// reads follow a promotion as theirs do.
    /// </summary>
    private string Database(string database, string role, string password) => new NpgsqlConnectionStringBuilder
    {
        Host = WithPostgresStandby ? $"127.0.0.1:{Port(55432)},127.0.0.1:{Port(55433)}" : "127.0.0.1",
        Port = Port(55432),
        TargetSessionAttributes = WithPostgresStandby ? "primary" : null,
        HostRecheckSeconds = WithPostgresStandby ? 1 : 10,
        Database = database,
        Username = role,
        Password = password,
        ApplicationName = TestsApplicationName,
    }.ConnectionString;
}

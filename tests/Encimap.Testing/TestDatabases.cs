using System.Diagnostics;
using Encimap.Database;
using Npgsql;

namespace Encimap.Testing;

/// <summary>What a test database pair holds besides the schema.</summary>
public sealed record TestDatabaseOptions
{
    /// <summary>Load <see cref="DevelopmentSeed"/> into the platform database.</summary>
    public bool SeedDevelopmentData { get; init; }
}

/// <summary>
/// Fresh, migrated database pairs (Encimap + platform) with the four roles' connection strings.
/// The first call provisions and migrates a template pair; every pair after that is a
/// <c>CREATE DATABASE ... TEMPLATE</c> copy of it, which takes a few tens of milliseconds.
/// </summary>
public static class TestDatabases
{
    private const string EncimapTemplate = "encimap_template";
    private const string PlatformTemplate = "platform_template";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly string RunPrefix = PostgresTestCluster.UsesExternalServer ? $"r{Guid.NewGuid():N}"[..9] + "_" : "";
    private static Task<RolePasswords>? _templateReady;
    private static int _counter;

    /// <summary>How long building the template pair took (provisioning and migrations), once built.</summary>
    public static TimeSpan? TemplateBuildTime { get; private set; }

    /// <summary>Creates a fresh migrated pair (<c>encimap_tN</c>, <c>platform_tN</c>).</summary>
    public static Task<TestDatabasePair> CreateAsync(CancellationToken cancellationToken = default) =>
        CreateAsync(new TestDatabaseOptions(), cancellationToken);

    /// <summary>Creates a fresh migrated pair with <paramref name="options"/>.</summary>
    public static async Task<TestDatabasePair> CreateAsync(TestDatabaseOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var superuser = await PostgresTestCluster.GetSuperuserConnectionStringAsync(cancellationToken).ConfigureAwait(false);
        var passwords = await EnsureTemplateAsync(superuser, cancellationToken).ConfigureAwait(false);

        var stopwatch = Stopwatch.StartNew();
        var n = Interlocked.Increment(ref _counter);
        var provisioning = new ProvisioningOptions
        {
            EncimapDatabase = $"encimap_{RunPrefix}t{n}",
            PlatformDatabase = $"platform_{RunPrefix}t{n}",
            EncimapTemplate = RunPrefix + EncimapTemplate,
            PlatformTemplate = RunPrefix + PlatformTemplate,
            Passwords = passwords,
            // The roles were set up with these passwords when the template was built.
            EnsureRoles = false,
        };
        var databases = await new DatabaseProvisioner().ProvisionAsync(superuser, provisioning, cancellationToken).ConfigureAwait(false);
        if (options.SeedDevelopmentData)
        {
            await DevelopmentSeed.ApplyAsync(databases.PlatformOwnerConnectionString, cancellationToken).ConfigureAwait(false);
        }
        return new TestDatabasePair(databases, superuser, stopwatch.Elapsed);
    }

    /// <summary>
    /// Creates an empty database (no schema, owned by the superuser) and returns the superuser's
    /// connection string to it: for tests of migrations themselves.
    /// </summary>
    public static async Task<string> CreateEmptyDatabaseAsync(string prefix = "empty", CancellationToken cancellationToken = default)
    {
        var superuser = await PostgresTestCluster.GetSuperuserConnectionStringAsync(cancellationToken).ConfigureAwait(false);
        var name = SqlText.ValidateIdentifier($"{prefix}_{RunPrefix}t{Interlocked.Increment(ref _counter)}", nameof(prefix));
        var builder = new NpgsqlConnectionStringBuilder(superuser) { Pooling = false };
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {SqlText.QuoteIdentifier(name)}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        return new NpgsqlConnectionStringBuilder(superuser) { Database = name }.ConnectionString;
    }

    /// <summary>Forgets the template (the cluster it lived in was stopped).</summary>
    internal static void Reset()
    {
        _templateReady = null;
    }

    private static async Task<RolePasswords> EnsureTemplateAsync(string superuser, CancellationToken cancellationToken)
    {
        var ready = _templateReady;
        if (ready is { IsCompletedSuccessfully: true })
        {
            return ready.Result;
        }
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_templateReady is null || _templateReady.IsFaulted || _templateReady.IsCanceled)
            {
                _templateReady = BuildTemplateAsync(superuser, cancellationToken);
            }
            ready = _templateReady;
        }
        finally
        {
            Gate.Release();
        }
        return await ready.ConfigureAwait(false);
    }

    private static async Task<RolePasswords> BuildTemplateAsync(string superuser, CancellationToken cancellationToken)
    {
        // One set of role passwords per test process: every pair shares the cluster-wide roles.
        var passwords = RolePasswords.Generate();
        var options = new ProvisioningOptions
        {
            EncimapDatabase = RunPrefix + EncimapTemplate,
            PlatformDatabase = RunPrefix + PlatformTemplate,
            Passwords = passwords,
        };
        var stopwatch = Stopwatch.StartNew();
        var provisioner = new DatabaseProvisioner();
        await provisioner.DropDatabasesAsync(superuser, options.EncimapDatabase, options.PlatformDatabase, cancellationToken).ConfigureAwait(false);
        await provisioner.SetUpAsync(superuser, options, cancellationToken).ConfigureAwait(false);
        TemplateBuildTime = stopwatch.Elapsed;
        return passwords;
    }
}

/// <summary>
/// A fresh Encimap + platform database pair and the connection strings of the four roles.
/// Disposing drops both databases.
/// </summary>
public sealed class TestDatabasePair : IAsyncDisposable
{
    private readonly string _superuser;
    private int _disposed;

    internal TestDatabasePair(ProvisionedDatabases databases, string superuserConnectionString, TimeSpan creationTime)
    {
        Databases = databases;
        _superuser = superuserConnectionString;
        CreationTime = creationTime;
    }

    /// <summary>Names and connection strings.</summary>
    public ProvisionedDatabases Databases { get; }

    /// <summary>How long creating the pair took (template copy and privileges).</summary>
    public TimeSpan CreationTime { get; }

    /// <summary>The Encimap database's name.</summary>
    public string EncimapDatabase => Databases.EncimapDatabase;

    /// <summary>The platform database's name.</summary>
    public string PlatformDatabase => Databases.PlatformDatabase;

    /// <summary><c>encimap</c>: owner of the Encimap database (DDL, migrations).</summary>
    public string EncimapOwner => Databases.EncimapOwnerConnectionString;

    /// <summary><c>encimap_app</c>: what services use on the Encimap database.</summary>
    public string EncimapApp => Databases.EncimapAppConnectionString;

    /// <summary><c>motorical</c>: owner of the platform database.</summary>
    public string PlatformOwner => Databases.PlatformOwnerConnectionString;

    /// <summary><c>encimap_platform_reader</c>: what services use on the platform database.</summary>
    public string PlatformReader => Databases.PlatformReaderConnectionString;

    /// <summary>The superuser on the given database (default: the Encimap database).</summary>
    public string Superuser(string? database = null) =>
        new NpgsqlConnectionStringBuilder(_superuser) { Database = database ?? EncimapDatabase }.ConnectionString;

    /// <summary>Drops both databases, closing pooled connections to them first.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var connectionString in new[] { EncimapOwner, EncimapApp, PlatformOwner, PlatformReader, Superuser(EncimapDatabase), Superuser(PlatformDatabase) })
        {
            using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }
        try
        {
            await new DatabaseProvisioner().DropDatabasesAsync(_superuser, EncimapDatabase, PlatformDatabase).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // The cluster is already gone (process exit): nothing left to drop.
        }
    }

    /// <summary>Names only: connection strings hold passwords.</summary>
    public override string ToString() => $"{EncimapDatabase} + {PlatformDatabase}";
}

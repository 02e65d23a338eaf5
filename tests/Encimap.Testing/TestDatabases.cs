using System.Diagnostics;
using Encimap.Database;
using Npgsql;

namespace Encimap.Testing;

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

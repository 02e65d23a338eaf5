using System.Diagnostics;
using Encimap.Database;

namespace Encimap.Testing;

/// <summary>
/// One PostgreSQL cluster per test process, started on first use in a fresh temporary directory
/// (fsync off) and stopped, with its directory deleted, when the process exits: by
/// <see cref="PostgresTestFramework"/> at the end of the test run when the assembly uses it, by a
/// ProcessExit handler otherwise, and by the cluster's watchdog if the process is killed.
/// <para>
/// Set <c>ENCIMAP_TEST_POSTGRES</c> to a superuser connection string to use an existing server
/// instead (the cluster itself is then not available).
/// </para>
/// </summary>
public static class PostgresTestCluster
{
    /// <summary>The environment variable naming an existing server's superuser connection string.</summary>
    public const string ExternalServerVariable = "ENCIMAP_TEST_POSTGRES";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static EmbeddedPostgresCluster? _cluster;

    /// <summary>How long the first start took (initdb included), once started.</summary>
    public static TimeSpan? StartupTime { get; private set; }

    /// <summary>True when <c>ENCIMAP_TEST_POSTGRES</c> points the tests at an existing server.</summary>
    public static bool UsesExternalServer => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ExternalServerVariable));

    /// <summary>The process's embedded cluster, started on first call.</summary>
    public static async Task<EmbeddedPostgresCluster> GetAsync(CancellationToken cancellationToken = default)
    {
        if (UsesExternalServer)
        {
            throw new InvalidOperationException($"{ExternalServerVariable} is set: the tests use an existing server, not an embedded cluster.");
        }
        if (_cluster is { IsRunning: true } running)
        {
            return running;
        }
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cluster is { IsRunning: true } started)
            {
                return started;
            }
            var directory = Path.Combine(Path.GetTempPath(), $"encimap-test-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
            var stopwatch = Stopwatch.StartNew();
            _cluster = await EmbeddedPostgresCluster.StartAsync(EmbeddedPostgresOptions.ForTests(directory), cancellationToken).ConfigureAwait(false);
            StartupTime = stopwatch.Elapsed;
            return _cluster;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The superuser connection string of the test server (embedded or external).</summary>
    public static async Task<string> GetSuperuserConnectionStringAsync(CancellationToken cancellationToken = default)
    {
        var external = Environment.GetEnvironmentVariable(ExternalServerVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return external;
        }
        return (await GetAsync(cancellationToken).ConfigureAwait(false)).SuperuserConnectionString;
    }

    /// <summary>Stops the cluster and deletes its directory (also done at process exit).</summary>
    public static async Task StopAsync()
    {
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_cluster is not null)
            {
                await _cluster.DisposeAsync().ConfigureAwait(false);
                _cluster = null;
            }
            TestDatabases.Reset();
        }
        finally
        {
            Gate.Release();
        }
    }
}

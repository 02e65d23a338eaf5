using Microsoft.Extensions.Logging;

namespace Encimap.Database;

/// <summary>Options of <see cref="EmbeddedPostgresCluster.StartAsync"/>.</summary>
public sealed record EmbeddedPostgresOptions
{
    /// <summary>
    /// The directory the cluster lives under: <c>data/</c> (PGDATA), <c>log/postgres.log</c> and
    /// <c>superuser.password</c> (mode 600). Created when missing. When running as root and the
    /// postgres user cannot reach it, a directory under /var/tmp derived from this path is used
    /// instead (<see cref="EmbeddedPostgresCluster.RootDirectory"/> tells which).
    /// </summary>
    public required string Directory { get; init; }

    /// <summary>TCP port on 127.0.0.1; 0 picks a free one (the previous one when it is still free).</summary>
    public int Port { get; init; }

    /// <summary>
    /// fsync (and full_page_writes, synchronous_commit) on. Turn off only for throw-away clusters:
    /// a crash of the machine can then corrupt the data.
    /// </summary>
    public bool Fsync { get; init; } = true;

    /// <summary>How long start-up (initdb excluded) may take before it fails.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Where initdb/pg_ctl/postgres are; null finds them (see <see cref="PostgresBinaries"/>).</summary>
    public string? BinDirectory { get; init; }

    /// <summary>What to do with a postmaster already running on the data directory.</summary>
    public RunningServerPolicy IfAlreadyRunning { get; init; } = RunningServerPolicy.Restart;

    /// <summary>max_connections; null keeps the server default (100).</summary>
    public int? MaxConnections { get; init; }

    /// <summary>Further server settings passed as <c>-c name=value</c> on every start.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Stop the server when this process exits: a ProcessExit handler, plus a small watchdog
    /// process in its own session that stops the server if this process dies without running it.
    /// </summary>
    public bool StopWhenProcessExits { get; init; }

    /// <summary>Delete the whole directory after stopping (throw-away clusters).</summary>
    public bool DeleteDirectoryOnStop { get; init; }

    /// <summary>Progress and diagnostics; null logs nothing.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// The profile of a throw-away test cluster: fsync off, more connections, stopped and deleted
    /// when the process exits.
    /// </summary>
    public static EmbeddedPostgresOptions ForTests(string directory) => new()
    {
        Directory = directory,
        Fsync = false,
        MaxConnections = 300,
        StopWhenProcessExits = true,
        DeleteDirectoryOnStop = true,
    };
}

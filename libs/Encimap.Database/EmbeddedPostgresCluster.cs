using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Encimap.Database;

/// <summary>
/// A private PostgreSQL cluster under a directory, for development and tests: created with
/// initdb on first use (superuser <c>postgres</c>, SCRAM-SHA-256, generated password kept in a
/// mode-600 file next to the data directory), reused afterwards, listening on 127.0.0.1 only
/// (no Unix socket). When this process runs as root, initdb and pg_ctl run as the postgres
/// user. The server runs in its own session, so a terminal's Ctrl+C does not reach it: stop it
/// with <see cref="StopAsync"/> (pg_ctl stop -m fast) or by disposing.
/// </summary>
public sealed partial class EmbeddedPostgresCluster : IAsyncDisposable
{
    /// <summary>The only address the server listens on.</summary>
    public const string Host = "127.0.0.1";

    /// <summary>The superuser that initdb creates.</summary>
    public const string SuperuserName = "postgres";

    private const string ServiceUser = "postgres";

    private readonly EmbeddedPostgresOptions _options;
    private readonly ILogger _logger;
    private readonly string _binDirectory;
    private readonly SemaphoreSlim _stopLock = new(1, 1);
    private Process? _watchdog;
    private EventHandler? _processExitHandler;
    private bool _stopped;

    private EmbeddedPostgresCluster(
        EmbeddedPostgresOptions options, ILogger logger, string binDirectory, string requestedDirectory, string rootDirectory)
    {
        _options = options;
        _logger = logger;
        _binDirectory = binDirectory;
        RequestedDirectory = requestedDirectory;
        RootDirectory = rootDirectory;
        DataDirectory = Path.Combine(rootDirectory, "data");
        LogFile = Path.Combine(rootDirectory, "log", "postgres.log");
        PasswordFile = Path.Combine(rootDirectory, "superuser.password");
    }

    /// <summary>The directory asked for in the options (absolute).</summary>
    public string RequestedDirectory { get; }

    /// <summary>The directory really used: the requested one, or its /var/tmp fallback.</summary>
    public string RootDirectory { get; }

    /// <summary>PGDATA.</summary>
    public string DataDirectory { get; }

    /// <summary>The server log (appended to on every start).</summary>
    public string LogFile { get; }

    /// <summary>The file (mode 600) holding the superuser password.</summary>
    public string PasswordFile { get; }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>The password of the <c>postgres</c> superuser.</summary>
    public string SuperuserPassword { get; private set; } = "";

    /// <summary>True when this start ran initdb; false when an existing cluster was reused.</summary>
    public bool Created { get; private set; }

    /// <summary>True when an already running server was adopted instead of started.</summary>
    public bool Adopted { get; private set; }

    /// <summary>The server's major version (e.g. 15).</summary>
    public int MajorVersion { get; private set; }

    /// <summary>Whether the server is running (this instance has not stopped it).</summary>
    public bool IsRunning => !_stopped;

    /// <summary>Connection string of the superuser to the <c>postgres</c> database.</summary>
    public string SuperuserConnectionString => GetConnectionString("postgres", SuperuserName, SuperuserPassword);

    /// <summary>A connection string to this cluster for any database, user and password.</summary>
    public string GetConnectionString(string database, string username, string password) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = database,
            Username = username,
            Password = password,
        }.ConnectionString;

    /// <summary>The postmaster's process id, or null when no server runs on the data directory.</summary>
    public int? PostmasterPid => ReadPostmasterPid(DataDirectory);

    /// <summary>Starts (creating it first if needed) or adopts the cluster described by <paramref name="options"/>.</summary>
    public static async Task<EmbeddedPostgresCluster> StartAsync(
        EmbeddedPostgresOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "Port must be 0..65535.");
        }
        foreach (var name in options.Settings.Keys)
        {
            if (!SettingNamePattern().IsMatch(name))
            {
                throw new ArgumentException($"Invalid server setting name '{name}'.", nameof(options));
            }
        }

        var logger = options.Logger ?? NullLogger.Instance;
        var stopwatch = Stopwatch.StartNew();
        var binDirectory = options.BinDirectory ?? await PostgresBinaries.FindServerBinDirectoryAsync(cancellationToken).ConfigureAwait(false);
        if (!PostgresBinaries.HasServerPrograms(binDirectory))
        {
            throw new FileNotFoundException($"initdb, pg_ctl and postgres are not all in '{binDirectory}'.");
        }
        var requested = Path.GetFullPath(options.Directory);
        var root = await ResolveRootDirectoryAsync(requested, logger, cancellationToken).ConfigureAwait(false);

        var cluster = new EmbeddedPostgresCluster(options, logger, binDirectory, requested, root);
        await cluster.StartCoreAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation(
            "PostgreSQL {Version} {How} on {Host}:{Port} (data {DataDirectory}) in {Elapsed} ms",
            cluster.MajorVersion, cluster.Adopted ? "adopted" : cluster.Created ? "created and started" : "started",
            Host, cluster.Port, cluster.DataDirectory, stopwatch.ElapsedMilliseconds);
        return cluster;
    }

    /// <summary>An instance for <paramref name="options"/>: the server programs found, its directories resolved; nothing started.</summary>
    private static async Task<EmbeddedPostgresCluster> CreateAsync(EmbeddedPostgresOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        var logger = options.Logger ?? NullLogger.Instance;
        var binDirectory = options.BinDirectory ?? await PostgresBinaries.FindServerBinDirectoryAsync(cancellationToken).ConfigureAwait(false);
        if (!PostgresBinaries.HasServerPrograms(binDirectory))
        {
            throw new FileNotFoundException($"initdb, pg_ctl and postgres are not all in '{binDirectory}'.");
        }

        var requested = Path.GetFullPath(options.Directory);
        var root = await ResolveRootDirectoryAsync(requested, logger, cancellationToken).ConfigureAwait(false);
        return new EmbeddedPostgresCluster(options, logger, binDirectory, requested, root) { Port = options.Port };
    }

    /// <summary>
    /// Creates the cluster described by <paramref name="options"/> if needed and stops a server
    /// left running on it, without starting one: for a supervisor (the AppHost) that runs the
    /// server process itself, in the foreground, with <see cref="ServerCommand"/>.
    /// </summary>
    public static async Task<EmbeddedPostgresCluster> PrepareAsync(
        EmbeddedPostgresOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cluster = await CreateAsync(options, cancellationToken).ConfigureAwait(false);
        await cluster.PrepareCoreAsync(adoptRunning: false, cancellationToken).ConfigureAwait(false);
        // Nothing runs yet: there is nothing for this instance to stop.
        cluster._stopped = true;
        return cluster;
    }

    /// <summary>
    /// The command line that runs the server in the foreground on <see cref="Port"/> (as the
    /// postgres user when this process is root, through setpriv, which execs rather than forks, so
    /// that the supervisor's signals reach the postmaster itself).
    /// </summary>
    public IReadOnlyList<string> ServerCommand()
    {
        var command = new List<string>();
        if (Environment.IsPrivilegedProcess)
        {
            command.AddRange([ExternalCommand.FindSystemTool("setpriv"), $"--reuid={ServiceUser}", $"--regid={ServiceUser}", "--init-groups", "--"]);
        }
        command.AddRange([Path.Combine(_binDirectory, "postgres"), "-D", DataDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture)]);
        foreach (var (name, value) in ServerSettings())
        {
            command.AddRange(["-c", name + "=" + value]);
        }
        return command;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        if (await PrepareCoreAsync(adoptRunning: _options.IfAlreadyRunning == RunningServerPolicy.Adopt, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await StartServerAsync(cancellationToken).ConfigureAwait(false);
        AfterStart();
    }

    /// <summary>initdb when there is no cluster; otherwise checks it and stops (or adopts) a running server. True when adopted.</summary>
    private async Task<bool> PrepareCoreAsync(bool adoptRunning, CancellationToken cancellationToken)
    {
        MajorVersion = await ReadBinaryMajorVersionAsync(cancellationToken).ConfigureAwait(false);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(LogFile)!);

        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            var dataVersion = File.ReadAllText(Path.Combine(DataDirectory, "PG_VERSION")).Trim();
            if (dataVersion != MajorVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException(
                    $"The cluster in '{DataDirectory}' was created by PostgreSQL {dataVersion}, but the server programs in " +
                    $"'{_binDirectory}' are version {MajorVersion}. Use matching programs (BinDirectory) or upgrade the cluster with pg_upgrade.");
            }
            if (!File.Exists(PasswordFile))
            {
                throw new InvalidOperationException(
                    $"The cluster in '{DataDirectory}' exists but its superuser password file '{PasswordFile}' is missing; " +
                    "restore the file or delete the directory to start afresh.");
            }
            SuperuserPassword = File.ReadAllText(PasswordFile).Trim();
            await EnsureOwnershipAsync(cancellationToken).ConfigureAwait(false);

            if (await IsServerRunningAsync(cancellationToken).ConfigureAwait(false))
            {
                if (adoptRunning && ReadPostmasterPort(DataDirectory) is { } runningPort)
                {
                    Port = runningPort;
                    await WaitUntilAcceptingAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                    Adopted = true;
                    AfterStart();
                    return true;
                }
                _logger.LogInformation("A server is already running on {DataDirectory}: stopping it to restart it", DataDirectory);
                await PgCtlStopAsync("fast", cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
            Created = true;
        }

        return false;
    }

    private void AfterStart()
    {
        if (_options.StopWhenProcessExits)
        {
            _processExitHandler = (_, _) => StopOnProcessExit();
            AppDomain.CurrentDomain.ProcessExit += _processExitHandler;
            StartWatchdog();
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The embedded PostgreSQL cluster runs on Linux and other Unix systems.");
        }
        if (System.IO.Directory.Exists(DataDirectory) && System.IO.Directory.EnumerateFileSystemEntries(DataDirectory).Any())
        {
            throw new InvalidOperationException(
                $"'{DataDirectory}' is not empty but holds no PostgreSQL cluster (no PG_VERSION); refusing to touch it.");
        }
        System.IO.Directory.CreateDirectory(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        SuperuserPassword = Secrets.NewPassword();
        WriteSecretFile(PasswordFile, SuperuserPassword + "\n");

        // initdb reads the password from a file that the postgres user must be able to read.
        var initPasswordFile = Path.Combine(Path.GetDirectoryName(LogFile)!, "initdb.pwfile");
        WriteSecretFile(initPasswordFile, SuperuserPassword + "\n");
        try
        {
            if (Environment.IsPrivilegedProcess)
            {
                await RunCheckedAsync(
                    [ExternalCommand.FindSystemTool("chown"), $"{ServiceUser}:", DataDirectory, Path.GetDirectoryName(LogFile)!, initPasswordFile],
                    TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            }

            var args = new List<string>
            {
                Path.Combine(_binDirectory, "initdb"),
                "-D", DataDirectory,
                "-U", SuperuserName,
                "--auth=scram-sha-256",
                "--pwfile=" + initPasswordFile,
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            };
            if (!_options.Fsync)
            {
                args.Add("--no-sync");
            }
            var stopwatch = Stopwatch.StartNew();
            var result = await ExternalCommand.RunAsync(AsServiceUser(args, newSession: false), TimeSpan.FromMinutes(5), cancellationToken)
                .ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"initdb failed (exit code {result.ExitCode}):\n{result.Output}");
            }
            _logger.LogInformation("initdb of {DataDirectory} took {Elapsed} ms", DataDirectory, stopwatch.ElapsedMilliseconds);
        }
        finally
        {
            File.Delete(initPasswordFile);
        }

        // Safe defaults for anyone who starts this cluster by hand with pg_ctl: loopback TCP only.
        File.AppendAllText(Path.Combine(DataDirectory, "postgresql.conf"),
            "\n# Embedded Encimap cluster: loopback TCP only, no Unix socket.\n" +
            "listen_addresses = '127.0.0.1'\n" +
            "unix_socket_directories = ''\n");
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var autoPort = _options.Port == 0;
        const int maxAttempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            Port = autoPort ? PickPort(ReadLastPort(DataDirectory)) : _options.Port;
            var logOffset = File.Exists(LogFile) ? new FileInfo(LogFile).Length : 0;
            var args = new List<string>
            {
                Path.Combine(_binDirectory, "pg_ctl"), "start",
                "-D", DataDirectory,
                "-l", LogFile,
                "-w", "-t", ((int)Math.Ceiling(_options.StartupTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
                "-s",
                "-o", BuildServerOptions(),
            };
            CommandResult result;
            try
            {
                result = await ExternalCommand.RunAsync(AsServiceUser(args, newSession: true), _options.StartupTimeout + TimeSpan.FromSeconds(15), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception)
            {
                await TryStopAfterFailedStartAsync().ConfigureAwait(false);
                throw;
            }

            if (result.ExitCode == 0)
            {
                try
                {
                    await WaitUntilAcceptingAsync(TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (Exception)
                {
                    await TryStopAfterFailedStartAsync().ConfigureAwait(false);
                    throw;
                }
            }

            var log = ReadLogFrom(logOffset);
            await TryStopAfterFailedStartAsync().ConfigureAwait(false);
            var portTaken = log.Contains("could not bind", StringComparison.Ordinal) || log.Contains("Address already in use", StringComparison.Ordinal);
            if (autoPort && portTaken && attempt < maxAttempts)
            {
                _logger.LogWarning("Port {Port} was taken between choosing and binding it; trying another", Port);
                continue;
            }
            throw new InvalidOperationException(
                $"PostgreSQL did not start on {Host}:{Port} (pg_ctl exit code {result.ExitCode}). {result.Output}\n" +
                $"Last lines of {LogFile}:\n{Tail(log, 30)}");
        }
    }

    private string BuildServerOptions()
    {
        // pg_ctl hands this string to /bin/sh: every word is single-quoted.
        var builder = new StringBuilder("-p ").Append(Port.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, value) in ServerSettings())
        {
            builder.Append(" -c ").Append(ShellQuote(name + "=" + value));
        }
        return builder.ToString();
    }

    private List<KeyValuePair<string, string>> ServerSettings()
    {
        var settings = new List<KeyValuePair<string, string>>
        {
            new("listen_addresses", Host),
            new("unix_socket_directories", ""),
        };
        if (!_options.Fsync)
        {
            settings.Add(new("fsync", "off"));
            settings.Add(new("full_page_writes", "off"));
            settings.Add(new("synchronous_commit", "off"));
        }
        if (_options.MaxConnections is { } maxConnections)
        {
            settings.Add(new("max_connections", maxConnections.ToString(CultureInfo.InvariantCulture)));
        }
        settings.AddRange(_options.Settings);
        return settings;
    }

    private static string ShellQuote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private async Task TryStopAfterFailedStartAsync()
    {
        try
        {
            if (await IsServerRunningAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await PgCtlStopAsync("immediate", CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Could not stop the server after a failed start");
        }
    }

    private async Task WaitUntilAcceptingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(SuperuserConnectionString)
        {
            Pooling = false,
            Timeout = 5,
        }.ConnectionString;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
            {
                throw new InvalidOperationException(
                    $"The server on {Host}:{Port} rejects the superuser password in '{PasswordFile}'.", ex);
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                if (deadline.Elapsed > timeout)
                {
                    throw new TimeoutException(
                        $"PostgreSQL on {Host}:{Port} did not accept connections within {timeout.TotalSeconds:0} s: {ex.Message}\n" +
                        $"Last lines of {LogFile}:\n{ReadLogTail(30)}", ex);
                }
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Stops the server (<c>pg_ctl stop -m fast</c>, then immediate if that fails) and waits until
    /// the postmaster has exited. Idempotent.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _stopLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_stopped)
            {
                return;
            }
            if (_processExitHandler is not null)
            {
                AppDomain.CurrentDomain.ProcessExit -= _processExitHandler;
                _processExitHandler = null;
            }
            var stopwatch = Stopwatch.StartNew();
            try
            {
                await PgCtlStopAsync("fast", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                _logger.LogWarning(ex, "Fast shutdown failed; shutting down immediately");
                await PgCtlStopAsync("immediate", cancellationToken).ConfigureAwait(false);
            }
            _stopped = true;
            // Only now: if this process dies while stopping, the watchdog finishes the job.
            StopWatchdog();
            _logger.LogInformation("PostgreSQL on {Host}:{Port} stopped in {Elapsed} ms", Host, Port, stopwatch.ElapsedMilliseconds);
            if (_options.DeleteDirectoryOnStop)
            {
                try
                {
                    System.IO.Directory.Delete(RootDirectory, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _logger.LogWarning(ex, "Could not delete {Directory}", RootDirectory);
                }
            }
        }
        finally
        {
            _stopLock.Release();
        }
    }

    /// <summary>Stops the server (<see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopLock.Dispose();
    }

    private void StopOnProcessExit()
    {
        try
        {
            StopAsync().GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // The watchdog stops the server if this did not.
        }
    }

    private async Task PgCtlStopAsync(string mode, CancellationToken cancellationToken)
    {
        var args = new List<string> { Path.Combine(_binDirectory, "pg_ctl"), "stop", "-D", DataDirectory, "-m", mode, "-w", "-t", "60", "-s" };
        var result = await ExternalCommand.RunAsync(AsServiceUser(args, newSession: false), TimeSpan.FromSeconds(75), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 && await IsServerRunningAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"pg_ctl stop -m {mode} failed (exit code {result.ExitCode}): {result.Output}");
        }
    }

    private async Task<bool> IsServerRunningAsync(CancellationToken cancellationToken)
    {
        var args = new List<string> { Path.Combine(_binDirectory, "pg_ctl"), "status", "-D", DataDirectory };
        var result = await ExternalCommand.RunAsync(AsServiceUser(args, newSession: false), TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0;
    }

    private async Task<int> ReadBinaryMajorVersionAsync(CancellationToken cancellationToken)
    {
        var result = await ExternalCommand.RunAsync([Path.Combine(_binDirectory, "postgres"), "--version"], TimeSpan.FromSeconds(30), cancellationToken)
            .ConfigureAwait(false);
        var match = VersionPattern().Match(result.StandardOutput);
        if (result.ExitCode != 0 || !match.Success)
        {
            throw new InvalidOperationException($"Could not read the version of '{_binDirectory}/postgres': {result.Output}");
        }
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Makes sure the postgres user owns the data and log directories (root only).</summary>
    private async Task EnsureOwnershipAsync(CancellationToken cancellationToken)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return;
        }
        var logDirectory = Path.GetDirectoryName(LogFile)!;
        var args = new List<string> { ExternalCommand.FindSystemTool("chown"), $"{ServiceUser}:", logDirectory };
        if (File.Exists(LogFile))
        {
            args.Add(LogFile);
        }
        await RunCheckedAsync(args, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Prefixes a command so that it runs as the postgres user when this process is root, and
    /// in a new session (setsid) when it starts the server.
    /// </summary>
    private static List<string> AsServiceUser(IReadOnlyList<string> command, bool newSession)
    {
        var full = new List<string>();
        if (newSession)
        {
            full.Add(ExternalCommand.FindSystemTool("setsid"));
            full.Add("--wait");
        }
        if (Environment.IsPrivilegedProcess)
        {
            full.AddRange([ExternalCommand.FindSystemTool("runuser"), "-u", ServiceUser, "--"]);
        }
        full.AddRange(command);
        return full;
    }

    private static async Task RunCheckedAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await ExternalCommand.RunAsync(command, timeout, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', command)}' failed (exit code {result.ExitCode}): {result.Output}");
        }
    }

    /// <summary>
    /// The requested directory, or when running as root and the postgres user cannot reach it
    /// (e.g. under a mode-700 home directory), /var/tmp/encimap-postgres-{hash of the path}.
    /// </summary>
    private static async Task<string> ResolveRootDirectoryAsync(string requested, ILogger logger, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The embedded PostgreSQL cluster runs on Linux and other Unix systems.");
        }
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        System.IO.Directory.CreateDirectory(requested, mode);
        if (!Environment.IsPrivilegedProcess || await ServiceUserCanEnterAsync(requested, cancellationToken).ConfigureAwait(false))
        {
            return requested;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(requested)))[..16];
        var fallback = Path.Combine("/var/tmp", "encimap-postgres-" + hash);
        System.IO.Directory.CreateDirectory(fallback, mode);
        File.SetUnixFileMode(fallback, mode);
        await File.WriteAllTextAsync(Path.Combine(fallback, "requested-directory"), requested + "\n", cancellationToken).ConfigureAwait(false);
        if (!await ServiceUserCanEnterAsync(fallback, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException(
                $"The postgres user can enter neither '{requested}' nor '{fallback}'. Choose a directory it can reach.");
        }
        logger.LogWarning(
            "The postgres user cannot enter {Requested}; the cluster lives in {Fallback} instead", requested, fallback);
        return fallback;
    }

    private static async Task<bool> ServiceUserCanEnterAsync(string directory, CancellationToken cancellationToken)
    {
        var result = await ExternalCommand.RunAsync(
            [ExternalCommand.FindSystemTool("runuser"), "-u", ServiceUser, "--", ExternalCommand.FindSystemTool("test"), "-x", directory],
            TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0;
    }

    private static void WriteSecretFile(string path, string content)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The embedded PostgreSQL cluster runs on Linux and other Unix systems.");
        }
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(Encoding.UTF8.GetBytes(content));
        }
        File.Move(temporary, path, overwrite: true);
    }

    private void StartWatchdog()
    {
        // A process in its own session that outlives this one: when this process is gone without
        // having stopped the server (killed, crashed), it stops the server and, for throw-away
        // clusters, deletes the directory. Arguments are passed as positional parameters, never
        // spliced into the script.
        const string script =
            "exec </dev/null >/dev/null 2>&1; owner=$1; root=$2; delete=$3; shift 3; " +
            "tail --pid=\"$owner\" -f /dev/null; \"$@\"; " +
            "if [ \"$delete\" = 1 ]; then rm -rf -- \"$root\"; fi";
        var stopMode = _options.DeleteDirectoryOnStop ? "immediate" : "fast";
        var stop = AsServiceUser([Path.Combine(_binDirectory, "pg_ctl"), "stop", "-D", DataDirectory, "-m", stopMode, "-w", "-s"], newSession: false);
        var startInfo = new ProcessStartInfo(ExternalCommand.FindSystemTool("setsid"))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        foreach (var arg in (string[])["/bin/sh", "-c", script, "encimap-postgres-watchdog",
                     Environment.ProcessId.ToString(CultureInfo.InvariantCulture), RootDirectory, _options.DeleteDirectoryOnStop ? "1" : "0"])
        {
            startInfo.ArgumentList.Add(arg);
        }
        foreach (var arg in stop)
        {
            startInfo.ArgumentList.Add(arg);
        }
        try
        {
            _watchdog = Process.Start(startInfo);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            _logger.LogWarning(ex, "Could not start the watchdog; the server is stopped only by a normal exit");
        }
    }

    private void StopWatchdog()
    {
        if (_watchdog is null)
        {
            return;
        }
        try
        {
            if (!_watchdog.HasExited)
            {
                // The shell only: a tree kill would SIGSTOP its children first, and its `tail`
                // ends on its own when this process does.
                _watchdog.Kill(entireProcessTree: false);
                _watchdog.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _watchdog.Dispose();
        _watchdog = null;
    }

    /// <summary>The last <paramref name="lines"/> lines of the server log.</summary>
    public string ReadLogTail(int lines = 30) => Tail(ReadLogFrom(0), lines);

    private string ReadLogFrom(long offset)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            // Only the last 64 KiB matter for diagnostics.
            var start = Math.Max(offset, stream.Length - 65536);
            stream.Seek(Math.Max(0, start), SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"(log unavailable: {ex.Message})";
        }
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    private static int PickPort(int? preferred)
    {
        if (preferred is { } port && IsPortFree(port))
        {
            return port;
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var picked = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return picked;
    }

    private static bool IsPortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The port of the last start, from postmaster.opts.</summary>
    private static int? ReadLastPort(string dataDirectory)
    {
        try
        {
            var match = LastPortPattern().Match(File.ReadAllText(Path.Combine(dataDirectory, "postmaster.opts")));
            return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string[]? ReadPostmasterPidFile(string dataDirectory)
    {
        try
        {
            return File.ReadAllLines(Path.Combine(dataDirectory, "postmaster.pid"));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int? ReadPostmasterPid(string dataDirectory) =>
        ReadPostmasterPidFile(dataDirectory) is [var pid, ..] && int.TryParse(pid, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>Line 4 of postmaster.pid is the port.</summary>
    private static int? ReadPostmasterPort(string dataDirectory) =>
        ReadPostmasterPidFile(dataDirectory) is [_, _, _, var port, ..] && int.TryParse(port, CultureInfo.InvariantCulture, out var value) ? value : null;

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();

    [GeneratedRegex("\"-p\"\\s+\"(\\d+)\"")]
    private static partial Regex LastPortPattern();

    [GeneratedRegex("^[a-z_][a-z0-9_.]*$")]
    private static partial Regex SettingNamePattern();
}

using System.Diagnostics;
using System.Runtime.Versioning;
using Encimap.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Encimap.Database.Tests;

[SupportedOSPlatform("linux")]
public sealed class ClusterTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "encimap-cluster-test-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private EmbeddedPostgresOptions Options(string? directory = null) => new()
    {
        Directory = directory ?? _directory,
        Fsync = false,
        StopWhenProcessExits = true,
    };

    /// <summary>Processes whose command line mentions <paramref name="text"/>, or whose parent is <paramref name="parentPid"/>.</summary>
    private static List<int> FindProcesses(string text, int? parentPid)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Field 4 (after "pid (comm) state") is the parent pid.
                var afterComm = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ppid = int.Parse(afterComm[1], System.Globalization.CultureInfo.InvariantCulture);
                if (cmdline.Contains(text, StringComparison.Ordinal) || ppid == parentPid)
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }
        return found;
    }

    [Fact]
    public async Task Restarts_on_an_existing_data_directory_and_keeps_data_and_stops_without_leftovers()
    {
        var cold = Stopwatch.StartNew();
        var first = await EmbeddedPostgresCluster.StartAsync(Options());
        cold.Stop();
        int postmaster;
        string password;
        try
        {
            Assert.True(first.Created);
            Assert.Equal(_directory, first.RootDirectory);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.PasswordFile));
            postmaster = first.PostmasterPid ?? throw new InvalidOperationException("no postmaster.pid");
            Assert.NotEmpty(FindProcesses(first.DataDirectory, postmaster));
            password = first.SuperuserPassword;
            await Sql.ExecuteAsync(first.SuperuserConnectionString, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");

            // TCP on 127.0.0.1 only, SCRAM, no Unix socket.
            Assert.Equal("127.0.0.1", await Sql.ScalarAsync<string>(first.SuperuserConnectionString, "SHOW listen_addresses"));
            Assert.Equal("", await Sql.ScalarAsync<string>(first.SuperuserConnectionString, "SHOW unix_socket_directories"));
            Assert.Equal("scram-sha-256", await Sql.ScalarAsync<string>(first.SuperuserConnectionString, "SHOW password_encryption"));
            await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(
                new NpgsqlConnectionStringBuilder(first.SuperuserConnectionString) { Password = "wrong" }.ConnectionString, "SELECT 1"));
        }
        finally
        {
            await first.StopAsync();
        }
        NpgsqlConnection.ClearAllPools();

        Assert.False(first.IsRunning);
        Assert.Null(first.PostmasterPid);
        Assert.Empty(FindProcesses(first.DataDirectory, postmaster));

        var warm = Stopwatch.StartNew();
        await using var second = await EmbeddedPostgresCluster.StartAsync(Options());
        warm.Stop();
        Assert.False(second.Created);
        Assert.Equal(password, second.SuperuserPassword);
        Assert.Equal("still here", await Sql.ScalarAsync<string>(second.SuperuserConnectionString, "SELECT v FROM kept"));
        var secondPostmaster = second.PostmasterPid!.Value;
        await second.StopAsync();
        NpgsqlConnection.ClearAllPools();
        Assert.Empty(FindProcesses(second.DataDirectory, secondPostmaster));
        output.WriteLine($"cold start (initdb + start): {cold.ElapsedMilliseconds} ms; warm start: {warm.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_running_server_is_adopted_or_restarted()
    {
        await using var first = await EmbeddedPostgresCluster.StartAsync(Options());
        await using var adopted = await EmbeddedPostgresCluster.StartAsync(Options() with { IfAlreadyRunning = RunningServerPolicy.Adopt });
        Assert.True(adopted.Adopted);
        Assert.Equal(first.Port, adopted.Port);
        Assert.Equal(first.PostmasterPid, adopted.PostmasterPid);

        var before = first.PostmasterPid;
        await using var restarted = await EmbeddedPostgresCluster.StartAsync(Options() with { IfAlreadyRunning = RunningServerPolicy.Restart });
        Assert.False(restarted.Adopted);
        Assert.NotEqual(before, restarted.PostmasterPid);
        Assert.Equal(1, await Sql.ScalarAsync<int>(restarted.SuperuserConnectionString, "SELECT 1"));
        await restarted.StopAsync();
        Assert.Null(restarted.PostmasterPid);
    }

    [Fact]
    public async Task A_directory_the_postgres_user_cannot_reach_falls_back_to_var_tmp()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return; // Only root hands the cluster to the postgres user.
        }
        Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var requested = Path.Combine(_directory, "private", "pg");
        await using var cluster = await EmbeddedPostgresCluster.StartAsync(Options(requested) with { DeleteDirectoryOnStop = true });
        Assert.Equal(requested, cluster.RequestedDirectory);
        Assert.StartsWith("/var/tmp/encimap-postgres-", cluster.RootDirectory, StringComparison.Ordinal);
        Assert.Equal(1, await Sql.ScalarAsync<int>(cluster.SuperuserConnectionString, "SELECT 1"));
        await cluster.StopAsync();
        Assert.False(Directory.Exists(cluster.RootDirectory));
    }

    [Fact]
    public async Task A_failed_start_reports_the_server_log()
    {
        await using (var cluster = await EmbeddedPostgresCluster.StartAsync(Options()))
        {
            await cluster.StopAsync();
        }
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedPostgresCluster.StartAsync(
            Options() with { Settings = new Dictionary<string, string> { ["shared_buffers"] = "not-a-size" } }));
        Assert.Contains("shared_buffers", ex.Message, StringComparison.Ordinal);
        Assert.Contains("postgres.log", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_database_pairs_are_cheap()
    {
        await using var warmup = await TestDatabases.CreateAsync();
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await using var pair = await TestDatabases.CreateAsync();
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
            Assert.Equal((long)MigrationSet.Encimap.Migrations.Count, await Sql.ScalarAsync<long>(pair.EncimapApp, "SELECT count(*) FROM schema_migrations"));
        }
        output.WriteLine($"shared cluster start: {PostgresTestCluster.StartupTime?.TotalMilliseconds:0} ms; " +
                         $"template pair build: {TestDatabases.TemplateBuildTime?.TotalMilliseconds:0} ms; first copy: {warmup.CreationTime.TotalMilliseconds:0} ms; " +
                         $"pair creation: {string.Join(", ", times.Select(t => t.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))} ms");
        Assert.True(times.Min() < 5000, "Creating a database pair should take well under a second.");
    }
}

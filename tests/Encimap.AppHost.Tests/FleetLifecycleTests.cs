using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Encimap.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Encimap.AppHost.Tests;

/// <summary>
/// The README's run command as a user meets it: the fleet comes up on an empty state directory
/// and prints one line per resource and <c>fleet ready in N s</c>, the Aspire dashboard opens
/// without a login token, the fleet comes up again on the same data, and Ctrl+C (SIGINT to the process group) or
/// SIGTERM leaves no process behind: no dcp, no postgres, no service.
/// </summary>
public sealed class FleetLifecycleTests(ITestOutputHelper output) : IDisposable
{
    private const int SigTerm = 15;

    private static readonly string[] Resources = ["postgres", "migrations", "certificates", "api", "intake", "smtp", "imap", "gateway"];

    private readonly string _stateDirectory = FleetStateDirectory.Create("encimap-apphost-");

    [Fact]
    public async Task Cold_start_prints_every_resource_and_sigint_leaves_no_process_behind()
    {
        using var ports = FleetPorts.Claim();
        var offset = ports.Offset;
        var clock = Stopwatch.StartNew();
        await using var host = AppHostProcess.Start(_stateDirectory, offset);

        var lines = await host.WaitReadyAsync(TimeSpan.FromMinutes(4));
        output.WriteLine($"cold start to ready: {clock.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(string.Join('\n', lines));
        foreach (var resource in Resources)
        {
            Assert.Contains(lines, l => l.StartsWith(resource + " ", StringComparison.Ordinal));
        }

        Assert.Contains(lines, l => l.StartsWith("postgres ", StringComparison.Ordinal) && l.Contains($"tcp://127.0.0.1:{55432 + offset}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("smtp ", StringComparison.Ordinal) && l.Contains($"mx smtp://127.0.0.1:{2525 + offset}", StringComparison.Ordinal));

        // The dashboard opens without a token: loopback only, development only.
        using (var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }))
        {
            using var page = await http.GetAsync(host.Dashboard);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        var processes = FleetProcesses(host);
        Assert.True(processes.Count >= 10, $"only {processes.Count} fleet processes found");
        host.InterruptGroup();

        Assert.Equal(0, await host.WaitExitAsync(TimeSpan.FromSeconds(90)));
        await AssertNothingLeftAsync(processes);
    }

    [Fact]
    public async Task Warm_start_reuses_the_cluster_and_sigterm_leaves_no_process_behind()
    {
        using var ports = FleetPorts.Claim();
        var offset = ports.Offset;
        var marker = $"warm-{Guid.NewGuid():N}@example.org";
        await using (var first = AppHostProcess.Start(_stateDirectory, offset))
        {
            await first.WaitReadyAsync(TimeSpan.FromMinutes(4));
            await ExecuteAsync(offset, $"INSERT INTO users (email) VALUES ('{marker}')");
            first.Signal(SigTerm);
            Assert.Equal(0, await first.WaitExitAsync(TimeSpan.FromSeconds(90)));
        }

        var clock = Stopwatch.StartNew();
        await using var second = AppHostProcess.Start(_stateDirectory, offset);
        await second.WaitReadyAsync(TimeSpan.FromMinutes(3));
        output.WriteLine($"warm start to ready: {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(1L, await ExecuteAsync(offset, $"SELECT count(*) FROM users WHERE email = '{marker}'"));

        var processes = FleetProcesses(second);
        second.Signal(SigTerm);
        Assert.Equal(0, await second.WaitExitAsync(TimeSpan.FromSeconds(90)));
        await AssertNothingLeftAsync(processes);
    }

    public void Dispose()
    {
        foreach (var pid in ProcessTable.WithCommandLineContaining(_stateDirectory))
        {
            try
            {
                Process.GetProcessById(pid).Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // already gone
            }
        }

        Directory.Delete(_stateDirectory, recursive: true);
    }

    /// <summary>The platform database as its owner, with the password the fleet generated.</summary>
    private async Task<object?> ExecuteAsync(int offset, string sql)
    {
        var secrets = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(Path.Combine(_stateDirectory, "dev-secrets.json")))!;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = 55432 + offset,
            Database = "motorical_db",
            Username = "motorical",
            Password = secrets["postgres-platform-owner"],
            Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private IReadOnlyCollection<int> FleetProcesses(AppHostProcess host) => ProcessTable.Fleet(host.Pid, _stateDirectory);

    private static async Task AssertNothingLeftAsync(IReadOnlyCollection<int> processes)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (processes.Any(ProcessTable.IsAlive) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        var left = processes.Where(ProcessTable.IsAlive)
            .Select(pid => $"{pid}: {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')}")
            .ToList();
        Assert.True(left.Count == 0, "left behind:\n" + string.Join('\n', left));
    }
}

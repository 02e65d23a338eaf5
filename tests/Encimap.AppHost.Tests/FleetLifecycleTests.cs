using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit.Abstractions;

namespace Encimap.AppHost.Tests;

/// <summary>
/// The README's run command as a user meets it: the fleet comes up on an empty state directory,
/// reports readiness on the resources API, comes up again on the same data, and leaves no
/// process behind after SIGINT (Ctrl+C) or SIGTERM.
/// </summary>
public sealed class FleetLifecycleTests(ITestOutputHelper output) : IDisposable
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    // Development ports of DESIGN.md; a test fleet shifts them all by one offset.
    private static readonly int[] FleetPorts = [55432, 4301, 4311, 4321, 4331, 4341, 4351, 4400, 4401, 2525, 2587, 1143, 1993, 3001];

    private readonly string _stateDirectory = CreateStateDirectory();

    [Fact]
    public async Task Cold_start_reports_ready_and_sigint_leaves_no_process_behind()
    {
        var clock = Stopwatch.StartNew();
        await using var host = AppHostProcess.Start(_stateDirectory, FreePortOffset());

        var resources = await host.WaitReadyAsync(TimeSpan.FromMinutes(3));
        output.WriteLine($"cold start to ready: {clock.Elapsed.TotalSeconds:0.0} s");

        var postgres = Find(resources, "postgres");
        Assert.Equal("Running", postgres.GetProperty("state").GetString());
        Assert.StartsWith("tcp://127.0.0.1:", postgres.GetProperty("endpoints")[0].GetProperty("url").GetString());
        foreach (var resource in resources.EnumerateArray())
        {
            Assert.Equal("Running", resource.GetProperty("state").GetString());
            Assert.True(resource.GetProperty("pid").GetInt32() > 0);
            Assert.Equal(0, resource.GetProperty("restarts").GetInt32());
        }

        var pids = Pids(resources);
        host.Signal(SigInt);

        Assert.Equal(0, await host.WaitExitAsync(TimeSpan.FromSeconds(90)));
        await AssertNothingLeftAsync(pids);
    }

    [Fact]
    public async Task A_crashed_service_is_restarted_and_reported()
    {
        await using var host = AppHostProcess.Start(_stateDirectory, FreePortOffset());
        var resources = await host.WaitReadyAsync(TimeSpan.FromMinutes(3));
        var service = resources.EnumerateArray().First(r => r.GetProperty("type").GetString() == "project");
        var name = service.GetProperty("name").GetString()!;
        var crashedPid = service.GetProperty("pid").GetInt32();

        Process.GetProcessById(crashedPid).Kill();

        var restarted = await WaitForAsync(host, name, r => r.GetProperty("restarts").GetInt32() == 1
            && r.GetProperty("state").GetString() == "Running"
            && r.GetProperty("health").GetString() == "Healthy");
        Assert.NotEqual(crashedPid, restarted.GetProperty("pid").GetInt32());
        Assert.Contains($"[{name}] exited with code", host.Output);

        var pids = Pids(await host.WaitReadyAsync(TimeSpan.FromMinutes(1)));
        host.Signal(SigTerm);
        Assert.Equal(0, await host.WaitExitAsync(TimeSpan.FromSeconds(90)));
        await AssertNothingLeftAsync(pids);
    }

    [Fact]
    public async Task Warm_start_reuses_the_cluster_and_sigterm_leaves_no_process_behind()
    {
        var offset = FreePortOffset();
        await using (var first = AppHostProcess.Start(_stateDirectory, offset))
        {
            await first.WaitReadyAsync(TimeSpan.FromMinutes(3));
            first.Signal(SigTerm);
            Assert.Equal(0, await first.WaitExitAsync(TimeSpan.FromSeconds(90)));
        }

        var clock = Stopwatch.StartNew();
        await using var second = AppHostProcess.Start(_stateDirectory, offset);
        var resources = await second.WaitReadyAsync(TimeSpan.FromMinutes(2));
        output.WriteLine($"warm start to ready: {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Contains("cluster reused", second.Output);
        var pids = Pids(resources);
        second.Signal(SigTerm);

        Assert.Equal(0, await second.WaitExitAsync(TimeSpan.FromSeconds(90)));
        await AssertNothingLeftAsync(pids);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task AssertNothingLeftAsync(IReadOnlyList<int> pids)
    {
        // Give the kernel a moment to reap what the AppHost stopped.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && (pids.Any(ProcessTable.IsAlive) || ProcessTable.WithCommandLineContaining(_stateDirectory).Count > 0))
        {
            await Task.Delay(100);
        }

        Assert.DoesNotContain(pids, ProcessTable.IsAlive);
        Assert.Empty(ProcessTable.WithCommandLineContaining(_stateDirectory));
    }

    private static async Task<JsonElement> WaitForAsync(AppHostProcess host, string name, Func<JsonElement, bool> condition)
    {
        using var http = new HttpClient { BaseAddress = host.Dashboard };
        var deadline = DateTime.UtcNow.AddMinutes(1);
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = Find(JsonDocument.Parse(await http.GetStringAsync("/api/resources")).RootElement.Clone(), name);
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{name} never reached the expected state; last: {last}");
    }

    private static JsonElement Find(JsonElement resources, string name) =>
        resources.EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);

    private static List<int> Pids(JsonElement resources) =>
        resources.EnumerateArray()
            .Where(r => r.GetProperty("pid").ValueKind == JsonValueKind.Number)
            .Select(r => r.GetProperty("pid").GetInt32())
            .ToList();

    private static int FreePortOffset()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var offset = Random.Shared.Next(1000, 9900);
            if (FleetPorts.All(p => IsFree(p + offset)))
            {
                return offset;
            }
        }

        throw new InvalidOperationException("no free port range for a test fleet");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // Traversable by the postgres user, which runs the embedded cluster when the tests run as root.
    private static string CreateStateDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "encimap-apphost-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }

        return path;
    }
}

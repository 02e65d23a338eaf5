using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Encimap.Dashboard.Tests;

/// <summary>
/// The real AppHost run as a process (as Encimap.AppHost.Tests runs it): a private state
/// directory, every port shifted by a free offset, the dashboard on a private port.
/// </summary>
internal sealed partial class FleetProcess : IAsyncDisposable
{
    // Development ports of DESIGN.md; a test fleet shifts them all by one offset.
    private static readonly int[] FleetPorts = [55432, 4301, 4311, 4321, 4331, 4341, 4351, 4400, 4401, 2525, 2587, 1143, 1993, 3001];

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private FleetProcess(Process process, Uri dashboard, string stateDirectory)
    {
        _process = process;
        Dashboard = dashboard;
        StateDirectory = stateDirectory;
    }

    public Uri Dashboard { get; }

    public string StateDirectory { get; }

    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    public static FleetProcess Start()
    {
        var stateDirectory = CreateStateDirectory();
        var dashboard = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Artifacts.Binary("Encimap.AppHost", "Encimap.AppHost.dll"));
        start.ArgumentList.Add($"--AppHost:StateDirectory={stateDirectory}");
        start.ArgumentList.Add($"--AppHost:DashboardUrl={dashboard.AbsoluteUri.TrimEnd('/')}");
        start.ArgumentList.Add($"--AppHost:PortOffset={FreePortOffset()}");
        // The fleet exports to its own dashboard: no collector of the environment running the tests.
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        var process = Process.Start(start)!;
        var fleet = new FleetProcess(process, dashboard, stateDirectory);
        process.OutputDataReceived += (_, e) => fleet.Append(e.Data);
        process.ErrorDataReceived += (_, e) => fleet.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return fleet;
    }

    /// <summary>Polls <c>GET /api/ready</c> until every resource is Running and not unhealthy; returns <c>/api/resources</c>.</summary>
    public async Task<JsonElement> WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = Dashboard, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"AppHost exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var ready = await http.GetAsync("/api/ready");
                last = JsonDocument.Parse(await http.GetStringAsync("/api/resources")).RootElement.Clone();
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return last;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // the dashboard is not listening yet
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"not ready in {timeout}; last resources: {last}\n{Output}");
    }

    /// <summary>The first endpoint URL of a resource (<c>http</c>, <c>tcp</c>…) as <c>/api/resources</c> lists it.</summary>
    public static Uri Endpoint(JsonElement resources, string resource, string endpoint) =>
        new(resources.EnumerateArray()
            .Single(r => r.GetProperty("name").GetString() == resource)
            .GetProperty("endpoints").EnumerateArray()
            .First(e => e.GetProperty("name").GetString() == endpoint)
            .GetProperty("url").GetString()!);

    /// <summary>A development secret the AppHost keeps in its state directory (role passwords, signing keys).</summary>
    public string Secret(string name) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(StateDirectory, "dev-secrets.json")))![name];

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            kill(_process.Id, 15);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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
        var path = Path.Combine(Path.GetTempPath(), "encimap-dashboard-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output) { _output.AppendLine(line); }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}

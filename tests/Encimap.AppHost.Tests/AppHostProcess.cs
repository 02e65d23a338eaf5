using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Encimap.AppHost.Tests;

/// <summary>The real AppHost, run as a new user would run it, on private ports and a private state directory.</summary>
internal sealed partial class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppHostProcess(Process process, Uri dashboard, string stateDirectory)
    {
        _process = process;
        Dashboard = dashboard;
        StateDirectory = stateDirectory;
    }

    public Uri Dashboard { get; }

    public string StateDirectory { get; }

    public int Pid => _process.Id;

    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    public static AppHostProcess Start(string stateDirectory, int portOffset)
    {
        var dashboard = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AppHostAssembly());
        start.ArgumentList.Add($"--AppHost:StateDirectory={stateDirectory}");
        start.ArgumentList.Add($"--AppHost:DashboardUrl={dashboard.AbsoluteUri.TrimEnd('/')}");
        start.ArgumentList.Add($"--AppHost:PortOffset={portOffset}");
        var process = Process.Start(start)!;
        var host = new AppHostProcess(process, dashboard, stateDirectory);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Polls <c>GET /api/resources</c> until every resource is Running and not unhealthy.</summary>
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
            catch (HttpRequestException)
            {
                // the dashboard is not listening yet
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"not ready in {timeout}; last resources: {last}\n{Output}");
    }

    public void Signal(int signal) => Assert.Equal(0, kill(_process.Id, signal));

    public async Task<int> WaitExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

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
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output) { _output.AppendLine(line); }
        }
    }

    private static string AppHostAssembly()
    {
        var testDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var configuration = testDir.Name;
        var artifactsBin = testDir.Parent!.Parent!.FullName;
        return Path.Combine(artifactsBin, "Encimap.AppHost", configuration, "Encimap.AppHost.dll");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}

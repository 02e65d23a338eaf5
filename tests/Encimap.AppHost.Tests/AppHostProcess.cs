using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Encimap.AppHost.Tests;

/// <summary>
/// The README's run command, <c>dotnet run --project Encimap.AppHost</c>, on a private state
/// directory and private ports: the launch profile's settings are given as environment instead
/// (its fixed dashboard ports would collide with other fleets of the same test run).
/// </summary>
internal sealed partial class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppHostProcess(Process process, Uri dashboard, string stateDirectory)
    {
        _process = process;
        Dashboard = dashboard;
        StateDirectory = stateDirectory;
    }

    public Uri Dashboard { get; }

    public string StateDirectory { get; }

    /// <summary>The <c>dotnet run</c> process.</summary>
    public int Pid => _process.Id;

    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    public static AppHostProcess Start(string stateDirectory, int portOffset)
    {
        var dashboard = new Uri($"http://127.0.0.1:{FreePort()}");
        // In its own session and process group, as a terminal runs it, so that Ctrl+C can be
        // sent to the whole group (setsid execs: the pid stays the same).
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot(),
        };
        foreach (var argument in (string[])["dotnet", "run", "--no-build", "--no-launch-profile", "-c", Configuration(), "--project", "Encimap.AppHost", "--",
                     $"--AppHost:StateDirectory={stateDirectory}", $"--AppHost:PortOffset={portOffset}"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_URLS"] = dashboard.AbsoluteUri.TrimEnd('/');
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        start.Environment["DCP_DISABLE_MONITOR_PROCESS"] = "true";
        var process = Process.Start(start)!;
        var host = new AppHostProcess(process, dashboard, stateDirectory);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits for the line <c>fleet ready in N s</c>; returns the lines printed before it, one per resource.</summary>
    public async Task<IReadOnlyList<string>> WaitReadyAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(_ready.Task, exited, Task.Delay(timeout));
        if (done != _ready.Task)
        {
            throw new TimeoutException($"no 'fleet ready' line in {timeout} (exited: {_process.HasExited}):\n{Output}");
        }

        var lines = Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var readyAt = lines.FindIndex(l => l.StartsWith("fleet ready in ", StringComparison.Ordinal));
        return lines.Take(readyAt).Where(l => l.Length > 14 && l[13] == ' ' && !l.StartsWith(' ')).ToList();
    }

    public void Signal(int signal) => Assert.Equal(0, kill(_process.Id, signal));

    /// <summary>What Ctrl+C in a terminal does: SIGINT to every process of the foreground group.</summary>
    public void InterruptGroup() => Assert.Equal(0, kill(-_process.Id, 2));

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

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output) { _output.AppendLine(line); }
        if (line.StartsWith("fleet ready in ", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // artifacts/bin/<test project>/<configuration>/: the AppHost was built beside the tests.
    private static string Configuration() =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Name.StartsWith("release", StringComparison.OrdinalIgnoreCase) ? "Release" : "Debug";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Encimap.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Encimap.sln not found above the tests");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}

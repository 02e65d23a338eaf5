using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Encimap.Testing;

/// <summary>
/// A built Encimap service (its assembly under <c>artifacts/bin</c>) running as a real process on
/// loopback ports, configured through environment variables exactly as the AppHost configures it.
/// The benchmarks start services this way (the tests start the whole fleet, <see cref="EncimapFleet"/>);
/// a project that starts one references the service project with <c>ReferenceOutputAssembly=false</c>
/// so that it is built first.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(string name, Process process, Uri http)
    {
        Name = name;
        _process = process;
        Http = http;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    /// <summary>The HTTP/1 endpoint (health, REST).</summary>
    public Uri Http { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process printed, for failure messages.</summary>
    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    /// <summary>
    /// Starts <paramref name="projectName"/> with an HTTP endpoint on <paramref name="httpPort"/>
    /// and waits until its <c>/health</c> answers 200. <paramref name="artifactsDirectory"/> names
    /// another build's <c>artifacts/bin</c> to run the service from (a benchmark comparing two
    /// builds); null runs this build's.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(
        string projectName,
        int httpPort,
        IReadOnlyDictionary<string, string> environment,
        TimeSpan? startupTimeout = null,
        string? artifactsDirectory = null)
    {
        var assembly = AssemblyPath(projectName, artifactsDirectory);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Its own build folder, as the AppHost runs it: the service must read its own
            // appsettings.json, not one that was copied next to the tests.
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add(assembly);
        start.Environment["ASPNETCORE_CONTENTROOT"] = Path.GetDirectoryName(assembly)!;
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{httpPort}";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var service = new ServiceProcess(projectName, Process.Start(start)!, new Uri($"http://127.0.0.1:{httpPort}"));
        try
        {
            await service.WaitHealthyAsync(startupTimeout ?? TimeSpan.FromSeconds(60));
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    /// <summary>A TCP port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the process (SIGKILL: a crash, as far as its peers can tell).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Http, "/health"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Name} was not healthy within {timeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output) { _output.AppendLine(line); }
        }
    }

    private static string AssemblyPath(string projectName, string? artifactsDirectory)
    {
        // Tests run from artifacts/bin/<TestProject>/<configuration>/.
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(artifactsDirectory ?? testDirectory.Parent!.Parent!.FullName, projectName, testDirectory.Name, projectName + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{projectName} is not built: reference its project from the test project.", path);
    }
}

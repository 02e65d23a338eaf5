using System.Diagnostics;

namespace Encimap.AppHost;

/// <summary>
/// Runs one service's built assembly as a child process with Aspire-style environment, prefixes
/// its console output with its name, probes its <c>/health</c>, and restarts it with backoff
/// when it crashes. Children run in their own session (<c>setsid</c>) so that a terminal's
/// Ctrl+C reaches only the AppHost, which then stops them in order.
/// </summary>
public sealed class ServiceResource : FleetResource
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly ServiceDefinition _definition;
    private readonly string _assemblyPath;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly AppHostOptions _options;
    private readonly ConsoleSink _console;
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(3) };
    private readonly CancellationTokenSource _stopping = new();
    private Process? _process;
    private Task? _supervision;

    public ServiceResource(
        ServiceDefinition definition,
        string assemblyPath,
        IReadOnlyDictionary<string, string> environment,
        AppHostOptions options,
        ConsoleSink console)
        : base(definition.Name, "project")
    {
        _definition = definition;
        _assemblyPath = assemblyPath;
        _environment = environment;
        _options = options;
        _console = console;
        Endpoints = definition.Endpoints.Select(e => new ResourceEndpoint(e.Name, e.UrlFor(options.PortOffset))).ToList();
    }

    public override IReadOnlyList<ResourceEndpoint> Endpoints { get; }

    /// <summary>Starts the process and waits for its first healthy <c>/health</c>.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_assemblyPath))
        {
            SetState(ResourceState.Failed);
            throw new FileNotFoundException($"{Name}: {_assemblyPath} is not built.");
        }

        Launch();
        _supervision = Task.Run(SuperviseAsync, CancellationToken.None);
        await WaitHealthyAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        SetState(ResourceState.Stopping);
        if (_process is { } process)
        {
            await StopProcessAsync(process, cancellationToken);
        }

        if (_supervision is not null)
        {
            await _supervision.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        SetProcess(null);
        SetState(ResourceState.Stopped);
    }

    private void Launch()
    {
        SetState(ResourceState.Starting);
        SetHealth(ResourceHealth.Unknown);
        var start = new ProcessStartInfo
        {
            FileName = File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "dotnet",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_assemblyPath)!,
        };
        if (start.FileName != "dotnet")
        {
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(_assemblyPath);
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Forward(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => Forward(e.Data, isError: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        SetProcess(process.Id);
    }

    private void Forward(string? line, bool isError)
    {
        if (line is null)
        {
            return;
        }

        Log.Append(line, isError);
        _console.Write(Name, line, isError);
    }

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StartupTimeout);
        while (!timeout.IsCancellationRequested)
        {
            if (_process is { HasExited: true } && State == ResourceState.Failed)
            {
                break;
            }

            if (await ProbeAsync(timeout.Token))
            {
                return;
            }

            await Task.Delay(200, timeout.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new TimeoutException($"{Name} did not become healthy within {_options.StartupTimeout.TotalSeconds:0} s.");
    }

    /// <summary>Watches the process: restarts it after a crash (with backoff) and keeps probing its health.</summary>
    private async Task SuperviseAsync()
    {
        var failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            var process = _process!;
            var exited = process.WaitForExitAsync(_stopping.Token);
            while (!exited.IsCompleted)
            {
                await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(5), _stopping.Token));
                if (!exited.IsCompleted && !_stopping.IsCancellationRequested)
                {
                    await ProbeAsync(_stopping.Token);
                }
            }

            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            failures = (DateTimeOffset.UtcNow - (Snapshot().StartedAt ?? DateTimeOffset.UtcNow)) > TimeSpan.FromMinutes(1) ? 1 : failures + 1;
            var backoff = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, failures - 1)));
            _console.Write(Name, $"exited with code {process.ExitCode}; restarting in {backoff.TotalSeconds:0} s", isError: true);
            SetState(ResourceState.Restarting);
            SetHealth(ResourceHealth.Unhealthy);
            SetProcess(null);
            await Task.Delay(backoff, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            CountRestart();
            Launch();
        }
    }

    private async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        var endpoint = _definition.HealthEndpoint;
        if (endpoint is null)
        {
            SetState(ResourceState.Running);
            return true;
        }

        try
        {
            using var response = await _probe.GetAsync($"{endpoint.UrlFor(_options.PortOffset)}/health", cancellationToken);
            var healthy = response.IsSuccessStatusCode;
            SetHealth(healthy ? ResourceHealth.Healthy : ResourceHealth.Unhealthy);
            if (healthy && State == ResourceState.Starting)
            {
                SetState(ResourceState.Running);
            }

            return healthy;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            if (State == ResourceState.Running)
            {
                SetHealth(ResourceHealth.Unhealthy);
            }

            return false;
        }
    }

    private async Task StopProcessAsync(Process process, CancellationToken cancellationToken)
    {
        if (process.HasExited)
        {
            return;
        }

        PosixSignal.Terminate(process.Id);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(_options.StopTimeout);
        await process.WaitForExitAsync(grace.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!process.HasExited)
        {
            _console.Write(Name, "did not stop in time; killing it", isError: true);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Encimap.AppHost.Services;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Encimap.Testing;

/// <summary>
/// The real fleet, as <c>dotnet run --project Encimap.AppHost</c> declares it, started through
/// Aspire.Hosting.Testing once per test collection: its own embedded PostgreSQL (fsync off), its
/// own state directory and its own ports (every development port moved by one offset, so that
/// fleets of test projects running side by side do not meet). Subclasses add the settings their
/// tests need with <see cref="Configure"/>, and further instances of a service with
/// <see cref="AddInstance"/>; the fleet stops, with every process it started, on dispose. Its
/// databases are in EncimapFleet.Database.cs, its clients and tokens in EncimapFleet.Clients.cs.
/// </summary>
public partial class EncimapFleet : IAsyncLifetime
{

    private readonly Dictionary<string, Dictionary<string, string>> _environment = new(StringComparer.Ordinal);
    private readonly List<(string Service, string Instance)> _instances = [];
    private readonly Dictionary<(Type Client, string Service), ServiceProvider> _grpcClients = [];
    private readonly Dictionary<string, GrpcChannel> _channelsWithoutToken = new(StringComparer.Ordinal);
    private readonly ResourceLogs _logs = new();
    private DevelopmentSecretsFile? _secrets;

    public DistributedApplication App { get; private set; } = null!;

    public string StateDirectory { get; } = FleetStateDirectory.Create("encimap-fleet-");

    private readonly FleetPorts _ports = FleetPorts.Claim();

    public int PortOffset => _ports.Offset;

    /// <summary>Whether the Aspire dashboard runs too (off by default, as Aspire.Hosting.Testing has it).</summary>
    protected bool WithDashboard { get; init; }

    /// <summary>Whether the embedded PostgreSQL runs with its synchronous standby (<c>AppHost:PostgresStandby</c>).</summary>
    protected bool WithPostgresStandby { get; init; }

    /// <summary>A development port (DESIGN.md) of this fleet.</summary>
    public int Port(int developmentPort) => developmentPort + PortOffset;

    /// <summary>The HTTP endpoint of a service (health, REST).</summary>
    public Uri Http(string service) => App.GetEndpoint(service, "http");

    /// <summary>The h2c gRPC endpoint of a service.</summary>
    public Uri Grpc(string service) => App.GetEndpoint(service, "grpc");

    /// <summary>A named endpoint (mx, submission, imap, imaps) as host and port.</summary>
    public IPEndPoint Endpoint(string service, string endpoint)
    {
        var uri = App.GetEndpoint(service, endpoint);
        return new IPEndPoint(IPAddress.Loopback, uri.Port);
    }

    /// <summary>The key every service signs and checks S2S and internal-call tokens with.</summary>
    public string S2sSigningKey => Secrets.Get("s2s-signing-key");

    /// <summary>The key of the platform's user tokens the gateway accepts.</summary>
    public string UserJwtSigningKey => Secrets.Get("user-jwt-signing-key");

    /// <summary>The self-signed certificate (PEM) of the SMTP and IMAP ports: what a client trusts.</summary>
    public string ServerCertificatePem => Path.Combine(StateDirectory, "tls", "server.crt");

    private DevelopmentSecretsFile Secrets => _secrets ??= DevelopmentSecretsFile.Read(StateDirectory);

    /// <summary>Stops a resource of the fleet (the AppHost's Stop command) and waits until it has stopped.</summary>
    public async Task StopResourceAsync(string resource)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, timeout.Token);
        Assert.True(result.Success, $"stopping {resource}: {result.Message}");
        await App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, timeout.Token);
    }

    /// <summary>Starts a stopped resource again (the AppHost's Start command) and waits until its <c>/health</c> answers 200.</summary>
    public async Task StartResourceAsync(string resource)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, timeout.Token);
        Assert.True(result.Success, $"starting {resource}: {result.Message}");
        await App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.Running, timeout.Token);

        // The state before the stop may still say healthy: ask the service itself.
        using var http = new HttpClient { BaseAddress = Http(resource), Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            try
            {
                using var health = await http.GetAsync("/health", timeout.Token);
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    /// <summary>Whether a resource is running now.</summary>
    public bool IsRunning(string resource) =>
        App.ResourceNotifications.TryGetCurrentState(resource, out var state) && state.Snapshot.State?.Text == KnownResourceStates.Running;

    /// <summary>Everything a service of the fleet has printed so far.</summary>
    public string Logs(string service) => _logs.Text(service);

    /// <summary>Sets an environment variable of one service (or instance) before the fleet starts.</summary>
    protected void Configure(string service, string name, string value)
    {
        if (!_environment.TryGetValue(service, out var variables))
        {
            _environment[service] = variables = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        variables[name] = value;
    }

    /// <summary>
    /// Declares another instance of <paramref name="service"/> named <paramref name="instance"/>:
    /// the same program and settings as the AppHost gives the service, on free ports of its own
    /// (find them with <see cref="Http"/>, <see cref="Grpc"/> and <see cref="Endpoint"/>); settings
    /// of its own with <see cref="Configure"/>.
    /// </summary>
    protected void AddInstance(string service, string instance) => _instances.Add((service, instance));

    /// <summary>The AppHost's command line: its state directory, ports and an unflushed PostgreSQL.</summary>
    protected virtual IEnumerable<string> Arguments() =>
    [
        $"--AppHost:StateDirectory={StateDirectory}",
        $"--AppHost:PortOffset={PortOffset}",
        "--AppHost:PostgresFsync=false",
        $"--AppHost:PostgresStandby={(WithPostgresStandby ? "true" : "false")}",
    ];

    /// <summary>How long the fleet may take to become ready (replicas, each under <c>dotnet run</c>, take longer).</summary>
    protected TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(4);

    public virtual async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Encimap_AppHost>(
            [.. Arguments()],
            (options, _) => options.DisableDashboard = !WithDashboard,
            timeout.Token);

        // What the services print is collected (Logs), not echoed into the test output; the
        // orchestration says only what went wrong, and the health checks that fail while the
        // services start are not worth a line each.
        builder.Services.AddLogging(logging => logging
            .AddFilter((category, level) => level >= LogLevel.Warning || category is null
                || !(category.StartsWith("Aspire.", StringComparison.Ordinal) || category.Contains(".Resources.", StringComparison.Ordinal)))
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));

        foreach (var (service, instance) in _instances)
        {
            ServiceInstances.Declare(builder, service, instance);
        }

        foreach (var (service, variables) in _environment)
        {
            var resource = builder.CreateResourceBuilder<IFleetService>(service);
            foreach (var (name, value) in variables)
            {
                resource.WithEnvironment(name, value);
            }
        }

        App = await builder.BuildAsync(timeout.Token);
        var services = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<IFleetService>().Select(r => r.Name).ToList();
        _logs.Watch(App.ResourceNotifications, App.Services.GetRequiredService<ResourceLoggerService>(), services);
        try
        {
            await App.StartAsync(timeout.Token);
            await WaitReadyAsync(services, timeout.Token);
        }
        catch (Exception e)
        {
            // xunit does not dispose a fixture that failed to start: stop what did start.
            var failed = services.Where(name => !IsRunning(name)).Select(name => $"--- {name}:\n{Logs(name)}");
            var report = string.Join('\n', failed);
            await DisposeAsync();
            throw new InvalidOperationException($"the fleet did not start: {e.Message}\n{report}", e);
        }
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var clients in _grpcClients.Values)
        {
            await clients.DisposeAsync();
        }

        foreach (var channel in _channelsWithoutToken.Values)
        {
            channel.Dispose();
        }

        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        await _logs.DisposeAsync();
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open by a process that is stopping; the temp folder is swept later
        }

        _ports.Dispose();
    }

    /// <summary>Every service healthy and the databases prepared.</summary>
    private async Task WaitReadyAsync(IEnumerable<string> services, CancellationToken cancellationToken)
    {
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        var waits = services
            .Select(name => App.ResourceNotifications.WaitAllReplicasHealthyAsync(model.Resources.Single(r => r.Name == name), cancellationToken))
            .Append(App.ResourceNotifications.WaitForResourceAsync("migrations", KnownResourceStates.Finished, cancellationToken));
        await Task.WhenAll(waits);
    }

    /// <summary>The AppHost's generated development secrets (<c>dev-secrets.json</c>).</summary>
    private sealed class DevelopmentSecretsFile(Dictionary<string, string> values)
    {
        public static DevelopmentSecretsFile Read(string stateDirectory) =>
            new(JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(stateDirectory, "dev-secrets.json")))!);

        public string Get(string name) => values.TryGetValue(name, out var value)
            ? value
            : throw new KeyNotFoundException($"development secret {name} not found");
    }
}

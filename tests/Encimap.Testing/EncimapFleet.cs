using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Encimap.AppHost.Services;
using Npgsql;
using Xunit;

namespace Encimap.Testing;

/// <summary>
/// The real fleet, as <c>dotnet run --project Encimap.AppHost</c> declares it, started through
/// Aspire.Hosting.Testing once per test collection: its own embedded PostgreSQL (fsync off), its
/// own state directory and its own ports (every development port moved by one offset, so that
/// fleets of test projects running side by side do not meet). Subclasses add the settings their
/// tests need with <see cref="Configure"/>.
/// </summary>
public class EncimapFleet : IAsyncLifetime
{
    private static readonly int[] DevelopmentPorts = [55432, 4301, 4311, 4321, 4331, 4341, 4351, 4400, 4401, 2525, 2587, 1143, 1993, 3001];

    private readonly Dictionary<string, Dictionary<string, string>> _environment = new(StringComparer.Ordinal);
    private DevelopmentSecretsFile? _secrets;

    public DistributedApplication App { get; private set; } = null!;

    public string StateDirectory { get; } = Directory.CreateTempSubdirectory("encimap-fleet-").FullName;

    public int PortOffset { get; } = FreePortOffset();

    /// <summary>Whether the Aspire dashboard runs too (off by default, as Aspire.Hosting.Testing has it).</summary>
    protected bool WithDashboard { get; init; }

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

    /// <summary>The encimap database as its owner (tests read and arrange rows with it).</summary>
    public string EncimapOwnerConnectionString => Database("motorical_encrypted_imap", "encimap", "postgres-encimap-owner");

    /// <summary>The platform database as its owner (tests add users, domains, MotorBlocks with it).</summary>
    public string PlatformOwnerConnectionString => Database("motorical_db", "motorical", "postgres-platform-owner");

    private DevelopmentSecretsFile Secrets => _secrets ??= DevelopmentSecretsFile.Read(StateDirectory);

    /// <summary>Sets an environment variable of one service before the fleet starts.</summary>
    protected void Configure(string service, string name, string value)
    {
        if (!_environment.TryGetValue(service, out var variables))
        {
            _environment[service] = variables = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        variables[name] = value;
    }

    /// <summary>The AppHost's command line: its state directory, ports and an unflushed PostgreSQL.</summary>
    protected virtual IEnumerable<string> Arguments() =>
    [
        $"--AppHost:StateDirectory={StateDirectory}",
        $"--AppHost:PortOffset={PortOffset}",
        "--AppHost:PostgresFsync=false",
    ];

    public virtual async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Encimap_AppHost>(
            [.. Arguments()],
            (options, _) => options.DisableDashboard = !WithDashboard,
            timeout.Token);
        foreach (var (service, variables) in _environment)
        {
            var resource = builder.CreateResourceBuilder<ServiceResource>(service);
            foreach (var (name, value) in variables)
            {
                resource.WithEnvironment(name, value);
            }
        }

        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        await WaitReadyAsync(timeout.Token);
    }

    /// <summary>Every service healthy and the databases prepared.</summary>
    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        var waits = model.Resources.OfType<ServiceResource>()
            .Select(r => App.ResourceNotifications.WaitForResourceHealthyAsync(r.Name, cancellationToken))
            .Append(App.ResourceNotifications.WaitForResourceAsync("migrations", KnownResourceStates.Finished, cancellationToken));
        await Task.WhenAll(waits);
    }

    public virtual async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open by a process that is stopping; the temp folder is swept later
        }
    }

    private string Database(string database, string role, string secret) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port(55432),
        Database = database,
        Username = role,
        Password = Secrets.Get(secret),
    }.ConnectionString;

    /// <summary>An offset at which every development port is free now.</summary>
    public static int FreePortOffset()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var offset = Random.Shared.Next(1, 90) * 100 + Random.Shared.Next(0, 100);
            if (DevelopmentPorts.All(port => IsFree(port + offset)))
            {
                return offset;
            }
        }

        throw new InvalidOperationException("no free set of fleet ports");
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

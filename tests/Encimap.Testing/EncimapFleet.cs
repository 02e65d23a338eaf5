using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Encimap.AppHost.Services;
using Encimap.ServiceDefaults.Security;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Encimap.Testing;

/// <summary>
/// The real fleet, as <c>dotnet run --project Encimap.AppHost</c> declares it, started through
/// Aspire.Hosting.Testing once per test collection: its own embedded PostgreSQL (fsync off), its
/// own state directory and its own ports (every development port moved by one offset, so that
/// fleets of test projects running side by side do not meet). Subclasses add the settings their
/// tests need with <see cref="Configure"/>, and further instances of a service with
/// <see cref="AddInstance"/>; the fleet stops, with every process it started, on dispose.
/// </summary>
public class EncimapFleet : IAsyncLifetime
{
    /// <summary>The application name of the tests' own database sessions.</summary>
    private const string TestsApplicationName = "encimap-tests";

    private static readonly int[] DevelopmentPorts = [55432, 4301, 4311, 4321, 4331, 4341, 4351, 4400, 4401, 2525, 2587, 1143, 1993, 3001];

    private readonly Dictionary<string, Dictionary<string, string>> _environment = new(StringComparer.Ordinal);
    private readonly List<(string Service, string Instance)> _instances = [];
    private readonly Dictionary<(Type Client, string Service), ServiceProvider> _grpcClients = [];
    private readonly Dictionary<string, GrpcChannel> _channelsWithoutToken = new(StringComparer.Ordinal);
    private readonly ResourceLogs _logs = new();
    private DevelopmentSecretsFile? _secrets;

    public DistributedApplication App { get; private set; } = null!;

    public string StateDirectory { get; } = FleetStateDirectory.Create("encimap-fleet-");

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

    /// <summary>The S2S trust (<c>Jwt:S2S</c>) as the gateway mints and the API checks it.</summary>
    public JwtOptions S2sJwt => new() { SigningKey = S2sSigningKey };

    /// <summary>The encimap database as its owner (tests read and arrange rows with it).</summary>
    public string EncimapOwnerConnectionString => Database("motorical_encrypted_imap", "encimap", Secrets.Get("postgres-encimap-owner"));

    /// <summary>The encimap database as the services' role sees it (no DDL).</summary>
    public string EncimapAppConnectionString => Database("motorical_encrypted_imap", "encimap_app", Secrets.Get("postgres-encimap-app"));

    /// <summary>The platform database as its owner (tests add users, domains, MotorBlocks with it).</summary>
    public string PlatformOwnerConnectionString => Database("motorical_db", "motorical", Secrets.Get("postgres-platform-owner"));

    /// <summary>The embedded cluster's superuser, for what only it may do (take a database away).</summary>
    public string SuperuserConnectionString => Database("postgres", "postgres",
        File.ReadAllText(Path.Combine(StateDirectory, "postgres", "superuser.password")).Trim());

    /// <summary>The self-signed certificate (PEM) of the SMTP and IMAP ports: what a client trusts.</summary>
    public string ServerCertificatePem => Path.Combine(StateDirectory, "tls", "server.crt");

    private DevelopmentSecretsFile Secrets => _secrets ??= DevelopmentSecretsFile.Read(StateDirectory);

    /// <summary>A fresh S2S token for <paramref name="userId"/>, as the gateway mints it.</summary>
    public string S2sToken(Guid userId, TimeSpan? lifetime = null) => new JwtTokenIssuer(S2sJwt).Mint(userId.ToString(), lifetime);

    /// <summary>A client of the API's REST endpoint acting for <paramref name="userId"/>.</summary>
    public HttpClient ApiClientFor(Guid userId, TimeSpan? tokenLifetime = null)
    {
        var client = new HttpClient { BaseAddress = Http("api") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", S2sToken(userId, tokenLifetime));
        return client;
    }

    /// <summary>
    /// The generated gRPC client of <paramref name="service"/> (its <c>grpc</c> endpoint) as
    /// another service of the fleet calls it: registered as the services register it, every call
    /// with an internal-call token.
    /// </summary>
    public TClient InternalGrpcClient<TClient>(ProtoServiceDescriptor contract, string service)
        where TClient : class
    {
        lock (_grpcClients)
        {
            if (!_grpcClients.TryGetValue((typeof(TClient), service), out var clients))
            {
                var services = new ServiceCollection();
                services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
                    .AddInMemoryCollection(new Dictionary<string, string?> { ["Jwt:S2S:SigningKey"] = S2sSigningKey })
                    .Build());
                services.AddInternalGrpcClient<TClient>(contract, service, caller: "tests", address: Grpc(service));
                _grpcClients[(typeof(TClient), service)] = clients = services.BuildServiceProvider();
            }

            return clients.GetRequiredService<TClient>();
        }
    }

    /// <summary>A channel to <paramref name="service"/>'s gRPC endpoint without any token: anyone who can reach the port.</summary>
    public GrpcChannel GrpcChannelWithoutToken(string service)
    {
        lock (_channelsWithoutToken)
        {
            if (!_channelsWithoutToken.TryGetValue(service, out var channel))
            {
                _channelsWithoutToken[service] = channel = GrpcChannel.ForAddress(Grpc(service));
            }

            return channel;
        }
    }

    /// <summary>Runs a statement on the encimap database as its owner; returns the rows it touched.</summary>
    public async Task<int> ExecuteAsync(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(EncimapOwnerConnectionString);
        await connection.OpenAsync();
        await using var command = Command(sql, connection, values);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first value a query on the encimap database (as its owner) answers.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(EncimapOwnerConnectionString);
        await connection.OpenAsync();
        await using var command = Command(sql, connection, values);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Adds a platform user with one domain (verified unless told otherwise); returns the user's id and the domain.</summary>
    public async Task<(Guid UserId, string Domain)> AddUserWithDomainAsync(string verification = "verified")
    {
        var userId = Guid.NewGuid();
        var domain = NewDomain("t");
        await using var connection = new NpgsqlConnection(PlatformOwnerConnectionString);
        await connection.OpenAsync();
        await using (var user = new NpgsqlCommand("INSERT INTO users (id, email) VALUES ($1, $2)", connection))
        {
            user.Parameters.AddWithValue(userId);
            user.Parameters.AddWithValue($"owner@{domain}");
            await user.ExecuteNonQueryAsync();
        }

        await InsertDomainAsync(connection, userId, domain, verification);
        return (userId, domain);
    }

    /// <summary>Adds another domain to a platform user; returns it.</summary>
    public async Task<string> AddDomainAsync(Guid userId, string verification)
    {
        var domain = NewDomain("d");
        await using var connection = new NpgsqlConnection(PlatformOwnerConnectionString);
        await connection.OpenAsync();
        await InsertDomainAsync(connection, userId, domain, verification);
        return domain;
    }

    /// <summary>
    /// Takes the encimap database away from the services, or gives it back: no new connections,
    /// and (when taking it away) the services' open sessions ended, those of <paramref name="applicationName"/>
    /// only when given (the tests' own sessions stay). Returns how many sessions were ended.
    /// </summary>
    public async Task<long> SetEncimapConnectionsAllowedAsync(bool allowed, string? applicationName = null)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(SuperuserConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using (var alter = new NpgsqlCommand($"ALTER DATABASE motorical_encrypted_imap WITH ALLOW_CONNECTIONS {(allowed ? "true" : "false")}", connection))
        {
            await alter.ExecuteNonQueryAsync();
        }

        if (allowed)
        {
            return 0;
        }

        await using var terminate = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'motorical_encrypted_imap' AND application_name <> $2 AND ($1::text IS NULL OR application_name = $1)",
            connection);
        terminate.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)applicationName ?? DBNull.Value);
        terminate.Parameters.AddWithValue(TestsApplicationName);
        return (long)(await terminate.ExecuteScalarAsync())!;
    }

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
    ];

    public virtual async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
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
            var resource = builder.CreateResourceBuilder<ServiceResource>(service);
            foreach (var (name, value) in variables)
            {
                resource.WithEnvironment(name, value);
            }
        }

        App = await builder.BuildAsync(timeout.Token);
        var services = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ServiceResource>().Select(r => r.Name).ToList();
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
    }

    /// <summary>Every service healthy and the databases prepared.</summary>
    private async Task WaitReadyAsync(IEnumerable<string> services, CancellationToken cancellationToken)
    {
        var waits = services
            .Select(name => App.ResourceNotifications.WaitForResourceHealthyAsync(name, cancellationToken))
            .Append(App.ResourceNotifications.WaitForResourceAsync("migrations", KnownResourceStates.Finished, cancellationToken));
        await Task.WhenAll(waits);
    }

    private static NpgsqlCommand Command(string sql, NpgsqlConnection connection, object[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        return command;
    }

    private static string NewDomain(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..13] + ".example";

    private static async Task InsertDomainAsync(NpgsqlConnection connection, Guid userId, string domain, string verification)
    {
        await using var command = new NpgsqlCommand("INSERT INTO domains (user_id, domain, verification_status) VALUES ($1, $2, $3)", connection);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue(domain);
        command.Parameters.AddWithValue(verification);
        await command.ExecuteNonQueryAsync();
    }

    private string Database(string database, string role, string password) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port(55432),
        Database = database,
        Username = role,
        Password = password,
        ApplicationName = TestsApplicationName,
    }.ConnectionString;

    /// <summary>An offset at which every development port is free now.</summary>
    private static int FreePortOffset()
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

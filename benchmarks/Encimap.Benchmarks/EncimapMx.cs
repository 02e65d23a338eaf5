using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Encimap.Database;
using Encimap.ServiceDefaults.Security;
using Encimap.Testing;
using Npgsql;

namespace Encimap.Benchmarks;

/// <summary>
/// Certificates, API, intake and the gateway (MX only) over an embedded cluster, with one vaultbox.
/// The services run from this build, or from another checkout's build output
/// (<c>artifacts/bin</c> of that checkout, built in the same configuration), so that two builds
/// are measured in one run. The database schema is provisioned by this build: the other checkout
/// must have the same migrations.
/// </summary>
internal sealed class EncimapMx : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _resources = [];
    private readonly string? _artifacts;
    private readonly IReadOnlyDictionary<string, string> _settings;

    private EncimapMx(string? artifacts, IReadOnlyDictionary<string, string> settings)
    {
        _artifacts = artifacts;
        _settings = settings;
    }

    public int Port { get; private set; }

    public string Recipient { get; private set; } = "";

    public int PostgresVersion { get; private set; }

    /// <summary>The services' processes and PostgreSQL's postmaster.</summary>
    public IEnumerable<int> ProcessIds =>
        _resources.OfType<ServiceProcess>().Select(service => service.Pid)
            .Concat(_resources.OfType<EmbeddedPostgresCluster>().Select(cluster => cluster.PostmasterPid).OfType<int>());

    /// <summary>The running services by project name (Encimap.Intake, ...).</summary>
    public IReadOnlyDictionary<string, int> ServicePids =>
        _resources.OfType<ServiceProcess>().ToDictionary(service => service.Name, service => service.Pid);

    /// <summary>PostgreSQL's postmaster (its backends are its children).</summary>
    public int? PostmasterPid => _resources.OfType<EmbeddedPostgresCluster>().Select(cluster => cluster.PostmasterPid).FirstOrDefault();

    /// <param name="repository">A checkout whose <c>artifacts/bin</c> holds the services; null: this build.</param>
    /// <param name="settings">Extra configuration for every service (environment variables).</param>
    public static async Task<EncimapMx> StartAsync(string? repository = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var mx = new EncimapMx(repository is null ? null : Path.Combine(repository, "artifacts", "bin"), settings ?? new Dictionary<string, string>());
        try
        {
            await mx.StartCoreAsync();
            return mx;
        }
        catch
        {
            await mx.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _resources.Count - 1; i >= 0; i--)
        {
            await _resources[i].DisposeAsync();
        }
    }

    private async Task StartCoreAsync()
    {
        var directory = Directory.CreateTempSubdirectory("encimap-bench-smtp-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        var cluster = await EmbeddedPostgresCluster.StartAsync(new EmbeddedPostgresOptions
        {
            Directory = directory,
            StopWhenProcessExits = true,
            DeleteDirectoryOnStop = true,
        });
        _resources.Add(cluster);
        PostgresVersion = cluster.MajorVersion;
        var setup = await new DatabaseProvisioner().SetUpAsync(cluster.SuperuserConnectionString);
        var databases = setup.Databases;
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var quiet = new KeyValuePair<string, string>("Logging__LogLevel__Default", "Warning");

        var certificatesGrpc = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        var certificates = await Start("Encimap.Certificates", new()
        {
            ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
            ["Kestrel__Endpoints__grpc__Url"] = certificatesGrpc,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["Certificates__KekDirectory"] = Path.Combine(directory, "kek"),
            ["Certificates__GenerateDevelopmentKek"] = "true",
            ["Certificates__KeyPoolSize"] = "1",
            ["Jwt__S2S__SigningKey"] = signingKey,
            [quiet.Key] = quiet.Value,
        });
        var apiGrpc = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        var api = await Start("Encimap.Api", new()
        {
            ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
            ["ConnectionStrings__platform"] = databases.PlatformReaderConnectionString,
            ["Kestrel__Endpoints__grpc__Url"] = apiGrpc,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = certificatesGrpc,
            ["services__certificates__http__0"] = certificates.Http.AbsoluteUri,
            ["Jwt__S2S__SigningKey"] = signingKey,
            [quiet.Key] = quiet.Value,
        });
        var intakeGrpc = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        await Start("Encimap.Intake", new()
        {
            ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
            ["Kestrel__Endpoints__grpc__Url"] = intakeGrpc,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = certificatesGrpc,
            ["Jwt__S2S__SigningKey"] = signingKey,
            [quiet.Key] = quiet.Value,
        });
        Port = ServiceProcess.FreePort();
        await Start("Encimap.SmtpGateway", new()
        {
            ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
            ["services__intake__grpc__0"] = intakeGrpc,
            ["services__api__grpc__0"] = apiGrpc,
            ["Jwt__S2S__SigningKey"] = signingKey,
            ["Smtp__Mx__Endpoint"] = $"127.0.0.1:{Port}",
            ["Smtp__Submission__Endpoint"] = "",
            ["Smtp__Mx__MaxConnectionRatePerIp"] = "0",
            [quiet.Key] = quiet.Value,
        });

        // One user with a verified domain and one vaultbox: the recipient of every message.
        var userId = Guid.NewGuid();
        await using (var connection = new NpgsqlConnection(databases.PlatformOwnerConnectionString))
        {
            await connection.OpenAsync();
            await using var user = new NpgsqlCommand("INSERT INTO users (id, email) VALUES ($1, 'owner@bench.example')", connection);
            user.Parameters.AddWithValue(userId);
            await user.ExecuteNonQueryAsync();
            await using var domain = new NpgsqlCommand("INSERT INTO domains (user_id, domain, verification_status) VALUES ($1, 'bench.example', 'verified')", connection);
            domain.Parameters.AddWithValue(userId);
            await domain.ExecuteNonQueryAsync();
        }

        using var http = new HttpClient { BaseAddress = api.Http };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", new JwtTokenIssuer(new JwtOptions { SigningKey = signingKey }).Mint(userId.ToString()));
        using var response = await http.PostAsJsonAsync("/s2s/v1/vaultboxes", new { domain = "bench.example", alias = "bench", name = "bench" });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"creating the vaultbox failed: {body}");
        }

        JsonDocument.Parse(body).Dispose();
        Recipient = "bench@bench.example";
    }

    private async Task<ServiceProcess> Start(string project, Dictionary<string, string> environment)
    {
        foreach (var (key, value) in _settings)
        {
            environment[key] = value;
        }

        var process = await ServiceProcess.StartAsync(project, ServiceProcess.FreePort(), environment, artifactsDirectory: _artifacts);
        _resources.Add(process);
        return process;
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Encimap.ServiceDefaults.Security;
using Encimap.Testing;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using IntakeContract = Encimap.Contracts.Intake.Intake;

namespace Encimap.Intake.Tests;

/// <summary>
/// The certificate service, the API (to create vaultboxes and download their P12) and the intake
/// as real processes on loopback, over a fresh database pair. The intake's HTTP endpoint listens on
/// every address, so that a test can reach it from a non-loopback address too.
/// </summary>
public class IntakeFleet : IAsyncLifetime
{
    /// <summary>The test fleet's message limit (the default is 50 MiB; the benchmark covers that size).</summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    /// <summary>How long the intake reuses a vaultbox's certificates (shorter than the default, to test freshness).</summary>
    public static readonly TimeSpan CertificateCacheTtl = TimeSpan.FromSeconds(3);

    public const string P12Password = "intake-tests-p12";

    private readonly string _kekDirectory = Directory.CreateTempSubdirectory("encimap-kek-").FullName;
    private ServiceProvider? _clients;
    private int _certificatesGrpcPort;
    private int _certificatesHttpPort;

    public TestDatabasePair Databases { get; private set; } = null!;

    public ServiceProcess Certificates { get; private set; } = null!;

    public ServiceProcess Api { get; private set; } = null!;

    public ServiceProcess Intake { get; private set; } = null!;

    public Uri IntakeGrpc { get; private set; } = null!;

    public int IntakeHttpPort { get; private set; }

    public JwtOptions Jwt { get; } = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)) };

    public Guid UserId { get; } = Guid.NewGuid();

    public string Domain { get; } = $"t{Guid.NewGuid():N}"[..13] + ".example";

    /// <summary>The intake over gRPC as another service of the fleet (with an internal-call token).</summary>
    public IntakeContract.IntakeClient Client => _clients!.GetRequiredService<IntakeContract.IntakeClient>();

    /// <summary>The same, without a token: anyone who can reach the port.</summary>
    public IntakeContract.IntakeClient AnonymousClient => new(_clients!.GetRequiredKeyedService<GrpcChannel>("anonymous"));

    /// <summary>The API as the fleet's user.</summary>
    public HttpClient ApiClient { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Databases = await TestDatabases.CreateAsync();
        _certificatesGrpcPort = ServiceProcess.FreePort();
        _certificatesHttpPort = ServiceProcess.FreePort();
        await StartCertificatesAsync();

        Api = await ServiceProcess.StartAsync("Encimap.Api", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["ConnectionStrings__platform"] = Databases.PlatformReader,
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}",
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = $"http://127.0.0.1:{_certificatesGrpcPort}",
            ["services__certificates__http__0"] = $"http://127.0.0.1:{_certificatesHttpPort}",
            ["Jwt__S2S__SigningKey"] = Jwt.SigningKey!,
            ["Api__BcryptCost"] = "4",
        });

        IntakeGrpc = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort()}");
        IntakeHttpPort = ServiceProcess.FreePort();
        Intake = await StartIntakeAsync(IntakeHttpPort, IntakeGrpc, httpToken: null);

        await AddUserWithDomainAsync();
        ApiClient = new HttpClient { BaseAddress = Api.Http };
        ApiClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", new JwtTokenIssuer(Jwt).Mint(UserId.ToString(), TimeSpan.FromHours(2)));

        _clients = ClientsFor(IntakeGrpc);
    }

    /// <summary>
    /// The intake at <paramref name="grpc"/> as another service of the fleet calls it (registered
    /// as the services register it, with an internal-call token), and anonymously (keyed "anonymous").
    /// </summary>
    public ServiceProvider ClientsFor(Uri grpc)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Jwt:S2S:SigningKey"] = Jwt.SigningKey })
            .Build());
        services.AddInternalGrpcClient<IntakeContract.IntakeClient>(IntakeContract.Descriptor, "intake", caller: "tests", address: grpc);
        services.AddKeyedSingleton("anonymous", (_, _) => GrpcChannel.ForAddress(grpc));
        return services.BuildServiceProvider();
    }

    /// <summary>Starts another intake over the same database and certificate service.</summary>
    public async Task<ServiceProcess> StartIntakeAsync(int httpPort, Uri grpc, string? httpToken, string httpHost = "0.0.0.0", int maxMessageBytes = MaxMessageBytes)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["Kestrel__Endpoints__http__Url"] = $"http://{httpHost}:{httpPort}",
            ["Kestrel__Endpoints__grpc__Url"] = grpc.AbsoluteUri,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = $"http://127.0.0.1:{_certificatesGrpcPort}",
            ["Jwt__S2S__SigningKey"] = Jwt.SigningKey!,
            ["Intake__MaxMessageBytes"] = maxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Intake__HostName"] = "intake.test.example",
            ["Intake__CertificateCacheTtl"] = CertificateCacheTtl.ToString("c"),
        };
        if (httpToken is not null)
        {
            environment["Intake__HttpToken"] = httpToken;
        }

        return await ServiceProcess.StartAsync("Encimap.Intake", httpPort, environment);
    }

    /// <summary>(Re)starts the certificate service on its ports, with the same key-encryption key.</summary>
    public async Task StartCertificatesAsync()
    {
        Certificates = await ServiceProcess.StartAsync("Encimap.Certificates", _certificatesHttpPort, new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{_certificatesGrpcPort}",
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["Certificates__KekDirectory"] = _kekDirectory,
            ["Certificates__GenerateDevelopmentKek"] = "true",
            ["Certificates__KeyPoolSize"] = "4",
            ["Jwt__S2S__SigningKey"] = Jwt.SigningKey!,
        });
    }

    /// <summary>Creates a vaultbox through the API and sets its intake options directly.</summary>
    public async Task<Vaultbox> CreateVaultboxAsync(string prefix, bool hideSubject = false, string keyTransport = "rsa-pkcs1")
    {
        var alias = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 60)];
        using var response = await ApiClient.PostAsJsonAsync("/s2s/v1/vaultboxes", new { domain = Domain, alias });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("vaultbox_id").GetGuid();
        if (hideSubject || keyTransport != "rsa-pkcs1")
        {
            await ExecuteAsync("UPDATE vaultboxes SET hide_subject = $2, key_transport = $3 WHERE id = $1", id, hideSubject, keyTransport);
        }

        return new Vaultbox(id, $"{alias}@{Domain}");
    }

    /// <summary>Issues another certificate for the vaultbox (the first stays active).</summary>
    public async Task AddCertificateAsync(Vaultbox vaultbox)
    {
        using var response = await ApiClient.PostAsJsonAsync("/s2s/v1/generate-certificate", new { email = vaultbox.Address, days = 30 });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The vaultbox's P12, as its owner downloads it.</summary>
    public async Task<byte[]> DownloadP12Async(Guid vaultboxId)
    {
        using var response = await ApiClient.PostAsJsonAsync("/s2s/v1/p12", new { vaultbox_id = vaultboxId, password = P12Password });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadAsByteArrayAsync();
    }

    public NpgsqlConnection OpenOwner() => new(Databases.EncimapOwner);

    public async Task<int> ExecuteAsync(string sql, params object[] values)
    {
        await using var connection = OpenOwner();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        return await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] values)
    {
        await using var connection = OpenOwner();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public Task<long> MessageCountAsync(Guid vaultboxId) =>
        ScalarAsync<long>("SELECT count(*) FROM messages WHERE vaultbox_id = $1", vaultboxId);

    public Task<long> TotalMessageCountAsync() => ScalarAsync<long>("SELECT count(*) FROM messages");

    /// <summary>The stored content of a message.</summary>
    public Task<byte[]> ContentAsync(Guid vaultboxId, long uid) =>
        ScalarAsync<byte[]>("SELECT message_bytes(m.content, m.content_der) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'INBOX' AND m.uid = $2", vaultboxId, uid);

    public virtual async Task DisposeAsync()
    {
        if (_clients is not null)
        {
            await _clients.DisposeAsync();
        }

        ApiClient?.Dispose();
        foreach (var process in new[] { Intake, Api, Certificates })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        if (Databases is not null)
        {
            await Databases.DisposeAsync();
        }

        Directory.Delete(_kekDirectory, recursive: true);
    }

    private async Task AddUserWithDomainAsync()
    {
        await using var connection = new NpgsqlConnection(Databases.PlatformOwner);
        await connection.OpenAsync();
        await using (var user = new NpgsqlCommand("INSERT INTO users (id, email) VALUES ($1, $2)", connection))
        {
            user.Parameters.AddWithValue(UserId);
            user.Parameters.AddWithValue($"owner@{Domain}");
            await user.ExecuteNonQueryAsync();
        }

        await using var domain = new NpgsqlCommand("INSERT INTO domains (user_id, domain, verification_status) VALUES ($1, $2, 'verified')", connection);
        domain.Parameters.AddWithValue(UserId);
        domain.Parameters.AddWithValue(Domain);
        await domain.ExecuteNonQueryAsync();
    }
}

/// <summary>A vaultbox made for a test.</summary>
public sealed record Vaultbox(Guid Id, string Address);

/// <summary>Tests that share one fleet (each works with its own vaultboxes).</summary>
[CollectionDefinition(Name)]
public sealed class IntakeFleetCollection : ICollectionFixture<IntakeFleet>
{
    public const string Name = "intake fleet";
}

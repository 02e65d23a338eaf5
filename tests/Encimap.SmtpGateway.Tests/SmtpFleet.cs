using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Encimap.ServiceDefaults.Security;
using Encimap.Testing;
using Npgsql;

namespace Encimap.SmtpGateway.Tests;

/// <summary>
/// Certificates, API, intake and the SMTP gateway as real processes over a fresh database pair.
/// The gateway relays submitted mail to a smarthost port where a second gateway (MX only, same
/// intake) can be started and stopped by the tests.
/// </summary>
public sealed class SmtpFleet : IAsyncLifetime
{
    /// <summary>How long a submitted message may wait for the smarthost before it bounces.</summary>
    public static readonly TimeSpan RelayMaxAge = TimeSpan.FromSeconds(25);

    /// <summary>The gateway's message size limit (above the 20 MB message the tests send, and above the intake's).</summary>
    public const long MaxMessageSize = 40 * 1024 * 1024;

    /// <summary>The intake's message size limit: above Kestrel's default request body limit (30 MB), below the gateway's.</summary>
    public const int IntakeMaxMessageBytes = 34 * 1024 * 1024;

    private readonly string _directory = Directory.CreateTempSubdirectory("encimap-smtp-").FullName;
    private string _intakeGrpc = "";
    private string _apiGrpc = "";

    public TestDatabasePair Databases { get; private set; } = null!;

    public ServiceProcess Certificates { get; private set; } = null!;

    public ServiceProcess Api { get; private set; } = null!;

    public ServiceProcess Intake { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    public ServiceProcess? Smarthost { get; private set; }

    public int MxPort { get; } = ServiceProcess.FreePort();

    public int SubmissionPort { get; } = ServiceProcess.FreePort();

    public int SmarthostPort { get; } = ServiceProcess.FreePort();

    /// <summary>The self-signed server certificate (PEM), what a client trusts.</summary>
    public string CertificatePem => Path.Combine(_directory, "server.crt");

    public string KeyPem => Path.Combine(_directory, "server.key");

    public string WorkDirectory => _directory;

    public JwtOptions Jwt { get; } = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)) };

    public async Task InitializeAsync()
    {
        Databases = await TestDatabases.CreateAsync();
        WriteServerCertificate();
        var kek = Directory.CreateDirectory(Path.Combine(_directory, "kek")).FullName;

        var certificatesGrpc = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        Certificates = await ServiceProcess.StartAsync("Encimap.Certificates", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["Kestrel__Endpoints__grpc__Url"] = certificatesGrpc,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["Certificates__KekDirectory"] = kek,
            ["Certificates__GenerateDevelopmentKek"] = "true",
            ["Certificates__KeyPoolSize"] = "4",
            ["Jwt__S2S__SigningKey"] = Jwt.SigningKey!,
        });

        _apiGrpc = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        Api = await ServiceProcess.StartAsync("Encimap.Api", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["ConnectionStrings__platform"] = Databases.PlatformReader,
            ["Kestrel__Endpoints__grpc__Url"] = _apiGrpc,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = certificatesGrpc,
            ["services__certificates__http__0"] = Certificates.Http.AbsoluteUri,
            ["Jwt__S2S__SigningKey"] = Jwt.SigningKey!,
            ["Api__BcryptCost"] = "4",
            ["Api__MailHost"] = "mail.test.example",
        });

        _intakeGrpc = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        Intake = await ServiceProcess.StartAsync("Encimap.Intake", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["Kestrel__Endpoints__grpc__Url"] = _intakeGrpc,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = certificatesGrpc,
            ["Jwt__S2S__SigningKey"] = Jwt.SigningKey!,
            ["Intake__HostName"] = "mx.test.example",
            ["Intake__MaxMessageBytes"] = IntakeMaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        Gateway = await StartGatewayAsync(new Dictionary<string, string>
        {
            ["Smtp__Mx__Endpoint"] = $"127.0.0.1:{MxPort}",
            ["Smtp__Submission__Endpoint"] = $"127.0.0.1:{SubmissionPort}",
            ["Smtp__Relay__Host"] = "127.0.0.1",
            ["Smtp__Relay__Port"] = SmarthostPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp__Relay__TrustServerCertificate"] = "true",
            ["Smtp__Relay__MaxAge"] = RelayMaxAge.ToString("c"),
            ["Smtp__Relay__RetryBaseDelay"] = "00:00:01",
            ["Smtp__Relay__RetryMaxDelay"] = "00:00:02",
            ["Smtp__Relay__PollInterval"] = "00:00:01",
        });
    }

    /// <summary>Starts a gateway process with the fleet's settings plus <paramref name="settings"/>.</summary>
    public Task<ServiceProcess> StartGatewayAsync(IReadOnlyDictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["services__intake__grpc__0"] = _intakeGrpc,
            ["services__api__grpc__0"] = _apiGrpc,
            ["Jwt__S2S__SigningKey"] = Jwt.SigningKey!,
            ["Tls__CertificatePemFile"] = CertificatePem,
            ["Tls__KeyPemFile"] = KeyPem,
            ["Smtp__HostName"] = "mx.test.example",
            ["Smtp__MaxMessageSize"] = MaxMessageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp__Submission__LoginFailureDelay"] = "00:00:00.200",
            ["Smtp__Submission__MaxLoginFailures"] = "1000",
            ["Smtp__Mx__MaxConnectionRatePerIp"] = "0",
            ["Smtp__Submission__MaxConnectionRatePerIp"] = "0",
            ["Smtp__Mx__Endpoint"] = "",
            ["Smtp__Submission__Endpoint"] = "",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        return ServiceProcess.StartAsync("Encimap.SmtpGateway", ServiceProcess.FreePort(), environment);
    }

    /// <summary>Starts the smarthost: a second gateway whose MX listens on <see cref="SmarthostPort"/>.</summary>
    public async Task StartSmarthostAsync()
    {
        Smarthost ??= await StartGatewayAsync(new Dictionary<string, string> { ["Smtp__Mx__Endpoint"] = $"127.0.0.1:{SmarthostPort}" });
    }

    public async Task StopSmarthostAsync()
    {
        if (Smarthost is not null)
        {
            await Smarthost.DisposeAsync();
            Smarthost = null;
        }
    }

    public HttpClient ClientFor(Guid userId)
    {
        var client = new HttpClient { BaseAddress = Api.Http };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", new JwtTokenIssuer(Jwt).Mint(userId.ToString()));
        return client;
    }

    /// <summary>A new user with a verified domain and a vaultbox on it.</summary>
    public async Task<Vaultbox> CreateVaultboxAsync(string alias = "box")
    {
        var userId = Guid.NewGuid();
        var domain = $"t{Guid.NewGuid():N}"[..13] + ".example";
        await using (var connection = new NpgsqlConnection(Databases.PlatformOwner))
        {
            await connection.OpenAsync();
            await using var user = new NpgsqlCommand("INSERT INTO users (id, email) VALUES ($1, $2)", connection);
            user.Parameters.AddWithValue(userId);
            user.Parameters.AddWithValue($"owner@{domain}");
            await user.ExecuteNonQueryAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO domains (user_id, domain, verification_status) VALUES ($1, $2, 'verified')", connection);
            insert.Parameters.AddWithValue(userId);
            insert.Parameters.AddWithValue(domain);
            await insert.ExecuteNonQueryAsync();
        }

        using var http = ClientFor(userId);
        using var response = await http.PostAsJsonAsync("/s2s/v1/vaultboxes", new { domain, alias, name = alias });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("vaultbox_id").GetGuid();
        return new Vaultbox(this, userId, id, $"{alias}@{domain}", domain);
    }

    public async Task DisposeAsync()
    {
        await StopSmarthostAsync();
        foreach (var service in new[] { Gateway, Intake, Api, Certificates })
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }
        }

        if (Databases is not null)
        {
            await Databases.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Like the AppHost's development certificate: CN=localhost, SAN localhost and 127.0.0.1.</summary>
    private void WriteServerCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost, O=Encimap tests", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        File.WriteAllText(KeyPem, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(CertificatePem, certificate.ExportCertificatePem());
    }
}

[CollectionDefinition(Name)]
public sealed class SmtpFleetCollection : ICollectionFixture<SmtpFleet>
{
    public const string Name = "smtp fleet";
}

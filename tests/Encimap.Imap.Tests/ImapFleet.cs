using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Encimap.Contracts.Intake;
using Encimap.ServiceDefaults.Security;
using Encimap.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using IntakeContract = Encimap.Contracts.Intake.Intake;

namespace Encimap.Imap.Tests;

/// <summary>A vaultbox with IMAP credentials and its owner's key (P12 and PEM files for openssl).</summary>
public sealed record ImapAccount(Guid Id, string Address, string Username, string Password, string P12Path, string KeyPemPath, string CertificatePemPath);

/// <summary>
/// Certificates, API, intake and IMAP as real processes on loopback over a fresh database pair,
/// configured as the AppHost configures them (TLS certificate as PEM files, self-signed).
/// </summary>
public sealed class ImapFleet : IAsyncLifetime
{
    public const string P12Password = "imap-tests-p12";

    private readonly string _directory = Directory.CreateTempSubdirectory("encimap-imap-").FullName;
    private ServiceProvider? _clients;
    private readonly List<ServiceProcess> _processes = [];

    public TestDatabasePair Databases { get; private set; } = null!;

    public ServiceProcess Imap { get; private set; } = null!;

    public int ImapPort { get; private set; }

    public int ImapsPort { get; private set; }

    public string WorkDirectory => _directory;

    public JwtOptions Jwt { get; } = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)) };

    public Guid UserId { get; } = Guid.NewGuid();

    public string Domain { get; } = $"i{Guid.NewGuid():N}"[..13] + ".example";

    public HttpClient ApiClient { get; private set; } = null!;

    public IntakeContract.IntakeClient Intake => _clients!.GetRequiredService<IntakeContract.IntakeClient>();

    private Dictionary<string, string> _imapEnvironment = [];

    public async Task InitializeAsync()
    {
        Databases = await TestDatabases.CreateAsync();
        var certificatesGrpc = ServiceProcess.FreePort();
        var certificatesHttp = ServiceProcess.FreePort();
        _processes.Add(await ServiceProcess.StartAsync("Encimap.Certificates", certificatesHttp, new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{certificatesGrpc}",
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["Certificates__KekDirectory"] = Path.Combine(_directory, "kek"),
            ["Certificates__GenerateDevelopmentKek"] = "true",
            ["Certificates__KeyPoolSize"] = "4",
            ["Jwt__S2S__SigningKey"] = Jwt.SigningKey!,
        }));

        var apiGrpc = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        var api = await ServiceProcess.StartAsync("Encimap.Api", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["ConnectionStrings__platform"] = Databases.PlatformReader,
            ["Kestrel__Endpoints__grpc__Url"] = apiGrpc,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = $"http://127.0.0.1:{certificatesGrpc}",
            ["services__certificates__http__0"] = $"http://127.0.0.1:{certificatesHttp}",
            ["Jwt__S2S__SigningKey"] = Jwt.SigningKey!,
            ["Api__BcryptCost"] = "4",
        });
        _processes.Add(api);

        var intakeGrpc = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort()}");
        _processes.Add(await ServiceProcess.StartAsync("Encimap.Intake", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["Kestrel__Endpoints__grpc__Url"] = intakeGrpc.AbsoluteUri,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = $"http://127.0.0.1:{certificatesGrpc}",
            ["Jwt__S2S__SigningKey"] = Jwt.SigningKey!,
            ["Intake__HostName"] = "intake.test.example",
        }));

        var (certificate, key) = WriteTlsCertificate(_directory);
        ImapPort = ServiceProcess.FreePort();
        ImapsPort = ServiceProcess.FreePort();
        _imapEnvironment = new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["services__api__grpc__0"] = apiGrpc,
            ["services__intake__grpc__0"] = intakeGrpc.AbsoluteUri,
            ["Jwt__S2S__SigningKey"] = Jwt.SigningKey!,
            ["Imap__Endpoint"] = $"127.0.0.1:{ImapPort}",
            ["Imap__TlsEndpoint"] = $"127.0.0.1:{ImapsPort}",
            ["Imap__LoginFailureDelay"] = "00:00:00.100",
            ["Tls__CertificatePemFile"] = certificate,
            ["Tls__KeyPemFile"] = key,
        };
        Imap = await ServiceProcess.StartAsync("Encimap.Imap", ServiceProcess.FreePort(), _imapEnvironment);
        _processes.Add(Imap);

        await AddUserWithDomainAsync();
        ApiClient = new HttpClient { BaseAddress = api.Http };
        ApiClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", new JwtTokenIssuer(Jwt).Mint(UserId.ToString(), TimeSpan.FromHours(2)));

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Jwt:S2S:SigningKey"] = Jwt.SigningKey })
            .Build());
        services.AddInternalGrpcClient<IntakeContract.IntakeClient>(IntakeContract.Descriptor, "intake", caller: "tests", address: intakeGrpc);
        _clients = services.BuildServiceProvider();
    }

    /// <summary>A second IMAP instance over the same database (IDLE across instances).</summary>
    public async Task<(ServiceProcess Process, int Port)> StartSecondImapAsync()
    {
        var environment = new Dictionary<string, string>(_imapEnvironment);
        var port = ServiceProcess.FreePort();
        environment["Imap__Endpoint"] = "";
        environment["Imap__TlsEndpoint"] = $"127.0.0.1:{port}";
        var process = await ServiceProcess.StartAsync("Encimap.Imap", ServiceProcess.FreePort(), environment);
        _processes.Add(process);
        return (process, port);
    }

    /// <summary>Creates a vaultbox, its IMAP credentials and its owner's key files.</summary>
    public async Task<ImapAccount> CreateAccountAsync(string prefix)
    {
        var alias = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 60)];
        using var created = await ApiClient.PostAsJsonAsync("/s2s/v1/vaultboxes", new { domain = Domain, alias });
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, text);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("vaultbox_id").GetGuid();

        using var credentials = await ApiClient.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials", null);
        var data = JsonDocument.Parse(await credentials.Content.ReadAsStringAsync()).RootElement.GetProperty("data");

        using var p12 = await ApiClient.PostAsJsonAsync("/s2s/v1/p12", new { vaultbox_id = id, password = P12Password });
        Assert.True(p12.IsSuccessStatusCode, await p12.Content.ReadAsStringAsync());
        var p12Path = Path.Combine(_directory, $"{alias}.p12");
        await File.WriteAllBytesAsync(p12Path, await p12.Content.ReadAsByteArrayAsync());
        var keyPath = Path.Combine(_directory, $"{alias}.key.pem");
        var certificatePath = Path.Combine(_directory, $"{alias}.cert.pem");
        await Tools.RunAsync("openssl", ["pkcs12", "-in", p12Path, "-nocerts", "-nodes", "-passin", $"pass:{P12Password}", "-out", keyPath]);
        await Tools.RunAsync("openssl", ["pkcs12", "-in", p12Path, "-clcerts", "-nokeys", "-passin", $"pass:{P12Password}", "-out", certificatePath]);
        return new ImapAccount(id, $"{alias}@{Domain}", data.GetProperty("username").GetString()!, data.GetProperty("password").GetString()!, p12Path, keyPath, certificatePath);
    }

    /// <summary>Delivers a message as the SMTP gateway does; returns its UID.</summary>
    public async Task<uint> DeliverAsync(ImapAccount account, string raw)
    {
        var request = new DeliverRequest
        {
            EnvelopeSender = "sender@elsewhere.example",
            RawMessage = Google.Protobuf.ByteString.CopyFromUtf8(raw),
            ClientAddress = "192.0.2.1",
            ClientHelo = "mx.elsewhere.example",
        };
        request.Recipients.Add(account.Address);
        var reply = await Intake.DeliverAsync(request);
        return reply.Results.Single().Uid;
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(Databases.EncimapOwner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Decrypts a fetched (stored) message with the account's key, as its owner would.</summary>
    public async Task<byte[]> DecryptAsync(ImapAccount account, byte[] encrypted)
    {
        var input = Path.Combine(_directory, $"in-{Guid.NewGuid():N}.eml");
        var output = Path.Combine(_directory, $"out-{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(input, encrypted);
        await Tools.RunAsync("openssl", ["cms", "-decrypt", "-in", input, "-inkey", account.KeyPemPath, "-recip", account.CertificatePemPath, "-out", output, "-binary"]);
        return await File.ReadAllBytesAsync(output);
    }

    public async Task DisposeAsync()
    {
        if (_clients is not null)
        {
            await _clients.DisposeAsync();
        }

        ApiClient?.Dispose();
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await process.DisposeAsync();
        }

        if (Databases is not null)
        {
            await Databases.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static (string Certificate, string Key) WriteTlsCertificate(string directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certificatePath = Path.Combine(directory, "tls.crt.pem");
        var keyPath = Path.Combine(directory, "tls.key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
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

[CollectionDefinition(Name)]
public sealed class ImapFleetCollection : ICollectionFixture<ImapFleet>
{
    public const string Name = "imap fleet";
}

/// <summary>External programs.</summary>
public static class Tools
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, IDictionary<string, string>? environment = null,
        string? workingDirectory = null, bool check = true, TimeSpan? timeout = null, string? input = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} timed out:\n{await output}\n{await error}");
        }

        var result = new Result(process.ExitCode, await output, await error);
        if (check && result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', start.ArgumentList)} exited {result.ExitCode}:\n{result.Output}\n{result.Error}");
        }

        return result;
    }
}

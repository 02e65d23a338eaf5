using System.Net.Http.Headers;
using System.Security.Cryptography;
using Grpc.Net.Client;
using Encimap.ServiceDefaults.Security;
using Encimap.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using CredentialsContract = Encimap.Contracts.Credentials.Credentials;

namespace Encimap.Api.Tests;

/// <summary>
/// The API and the certificate service as real processes on loopback, over a fresh database
/// pair — what the AppHost runs, minus the services these tests do not need.
/// </summary>
public sealed class ApiFleet : IAsyncLifetime
{
    private readonly string _kekDirectory = Directory.CreateTempSubdirectory("encimap-kek-").FullName;
    private ServiceProvider? _clients;

    public TestDatabasePair Databases { get; private set; } = null!;

    public ServiceProcess Api { get; private set; } = null!;

    public ServiceProcess Certificates { get; private set; } = null!;

    public Uri ApiGrpc { get; private set; } = null!;

    public JwtOptions Jwt { get; } = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)) };

    /// <summary>The API's credential verification, called as another service of the fleet.</summary>
    public CredentialsContract.CredentialsClient Credentials => _clients!.GetRequiredService<CredentialsContract.CredentialsClient>();

    /// <summary>The same, without the internal-call token: anyone who can reach the port.</summary>
    public CredentialsContract.CredentialsClient AnonymousCredentials => new(_clients!.GetRequiredKeyedService<GrpcChannel>("anonymous"));

    public async Task InitializeAsync()
    {
        Databases = await TestDatabases.CreateAsync();
        var certificatesGrpc = ServiceProcess.FreePort();
        Certificates = await ServiceProcess.StartAsync("Encimap.Certificates", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{certificatesGrpc}",
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["Certificates__KekDirectory"] = _kekDirectory,
            ["Certificates__GenerateDevelopmentKek"] = "true",
            ["Certificates__KeyPoolSize"] = "4",
            ["Jwt__S2S__SigningKey"] = Jwt.SigningKey!,
        });

        var apiGrpc = ServiceProcess.FreePort();
        ApiGrpc = new Uri($"http://127.0.0.1:{apiGrpc}");
        Api = await ServiceProcess.StartAsync("Encimap.Api", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["ConnectionStrings__platform"] = Databases.PlatformReader,
            ["Kestrel__Endpoints__grpc__Url"] = ApiGrpc.AbsoluteUri,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = $"http://127.0.0.1:{certificatesGrpc}",
            ["services__certificates__http__0"] = Certificates.Http.AbsoluteUri,
            ["Jwt__S2S__SigningKey"] = Jwt.SigningKey!,
            ["Api__BcryptCost"] = "4",
            ["Api__MailHost"] = "mail.test.example",
        });

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Jwt:S2S:SigningKey"] = Jwt.SigningKey })
            .Build());
        services.AddInternalGrpcClient<CredentialsContract.CredentialsClient>(CredentialsContract.Descriptor, "api", caller: "tests", address: ApiGrpc);
        services.AddKeyedSingleton("anonymous", (_, _) => GrpcChannel.ForAddress(ApiGrpc));
        _clients = services.BuildServiceProvider();
    }

    /// <summary>An HttpClient for the API carrying a fresh S2S token for <paramref name="userId"/>.</summary>
    public HttpClient ClientFor(Guid userId) => ClientWithToken(new JwtTokenIssuer(Jwt).Mint(userId.ToString()));

    public HttpClient ClientWithToken(string? token)
    {
        var client = new HttpClient { BaseAddress = Api.Http };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task DisposeAsync()
    {
        if (_clients is not null)
        {
            await _clients.DisposeAsync();
        }

        await Api.DisposeAsync();
        await Certificates.DisposeAsync();
        await Databases.DisposeAsync();
        Directory.Delete(_kekDirectory, recursive: true);
    }
}

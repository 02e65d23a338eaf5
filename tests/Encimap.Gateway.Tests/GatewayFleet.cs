using System.Net.Http.Headers;
using System.Security.Cryptography;
using Encimap.ServiceDefaults.Security;
using Encimap.Testing;

namespace Encimap.Gateway.Tests;

/// <summary>
/// The chain the platform talks to, as real processes on loopback over a fresh database pair:
/// the certificate service, the API, and the gateway in front of the API. The platform's user
/// tokens and the fleet's S2S tokens have different keys, as in a deployment.
/// </summary>
public sealed class GatewayFleet : IAsyncLifetime
{
    private readonly string _kekDirectory = Directory.CreateTempSubdirectory("encimap-kek-").FullName;
    private readonly List<ServiceProcess> _extra = [];
    private string _certificatesGrpc = null!;

    public TestDatabasePair Databases { get; private set; } = null!;

    public ServiceProcess Certificates { get; private set; } = null!;

    public ServiceProcess Api { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    /// <summary>The trust between gateway and API (<c>Jwt:S2S</c>).</summary>
    public JwtOptions S2s { get; } = new() { SigningKey = NewKey() };

    /// <summary>The platform's user tokens as the gateway expects them (<c>Jwt:User</c>, defaults for issuer and audience).</summary>
    public JwtOptions User { get; } = new() { Issuer = "motorical-platform", Audience = "encimap-gateway", SigningKey = NewKey() };

    public async Task InitializeAsync()
    {
        Databases = await TestDatabases.CreateAsync();
        var certificatesGrpc = ServiceProcess.FreePort();
        _certificatesGrpc = $"http://127.0.0.1:{certificatesGrpc}";
        Certificates = await ServiceProcess.StartAsync("Encimap.Certificates", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ASPNETCORE_CONTENTROOT"] = ServiceDirectory("Encimap.Certificates"),
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["Kestrel__Endpoints__grpc__Url"] = _certificatesGrpc,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["Certificates__KekDirectory"] = _kekDirectory,
            ["Certificates__GenerateDevelopmentKek"] = "true",
            ["Certificates__KeyPoolSize"] = "4",
            ["Jwt__S2S__SigningKey"] = S2s.SigningKey!,
        });
        Api = await StartApiCoreAsync();
        Gateway = await StartGatewayCoreAsync(Api.Http);
    }

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    /// <summary>Another API process over the same databases, stopped with the fleet (or killed by the test).</summary>
    public async Task<ServiceProcess> StartApiAsync()
    {
        var api = await StartApiCoreAsync();
        _extra.Add(api);
        return api;
    }

    /// <summary>Another gateway in front of <paramref name="api"/>, with extra settings (<c>Gateway__RateLimits__…</c>).</summary>
    public async Task<ServiceProcess> StartGatewayAsync(Uri api, IReadOnlyDictionary<string, string>? settings = null)
    {
        var gateway = await StartGatewayCoreAsync(api, settings);
        _extra.Add(gateway);
        return gateway;
    }

    /// <summary>A user token as the platform would issue it.</summary>
    public string UserToken(Guid userId, TimeSpan? lifetime = null) => new JwtTokenIssuer(User).Mint(userId.ToString(), lifetime);

    /// <summary>An S2S token as the gateway mints it.</summary>
    public string S2sToken(Guid userId) => new JwtTokenIssuer(S2s).Mint(userId.ToString());

    /// <summary>A client of the gateway (default: the fleet's) with a user token for <paramref name="userId"/>.</summary>
    public HttpClient GatewayClientFor(Guid userId, ServiceProcess? gateway = null) => Client(gateway ?? Gateway, UserToken(userId));

    public HttpClient GatewayClient(string? token, ServiceProcess? gateway = null) => Client(gateway ?? Gateway, token);

    /// <summary>A client of the API itself, bypassing the gateway.</summary>
    public HttpClient ApiClient(string? token) => Client(Api, token);

    /// <summary>
    /// Whether the API logged a request whose URL contains <paramref name="marker"/> within
    /// <paramref name="wait"/> (its request log is written asynchronously).
    /// </summary>
    public async Task<bool> ApiLoggedAsync(string marker, TimeSpan wait, ServiceProcess? api = null)
    {
        var deadline = DateTime.UtcNow + wait;
        do
        {
            if ((api ?? Api).Output.Contains(marker, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return false;
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _extra)
        {
            await process.DisposeAsync();
        }

        await Gateway.DisposeAsync();
        await Api.DisposeAsync();
        await Certificates.DisposeAsync();
        await Databases.DisposeAsync();
        Directory.Delete(_kekDirectory, recursive: true);
    }

    /// <summary>
    /// A service's build directory, its content root as the AppHost runs it: each process reads its
    /// own appsettings.json, not whichever one the test's output directory happens to hold.
    /// </summary>
    public static string ServiceDirectory(string projectName)
    {
        // artifacts/bin/Encimap.Gateway.Tests/<config>/ → artifacts/bin/<project>/<config>/
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(testDirectory.Parent!.Parent!.FullName, projectName, testDirectory.Name);
    }

    private static HttpClient Client(ServiceProcess service, string? token)
    {
        var client = new HttpClient { BaseAddress = service.Http };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private Task<ServiceProcess> StartApiCoreAsync() =>
        ServiceProcess.StartAsync("Encimap.Api", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ASPNETCORE_CONTENTROOT"] = ServiceDirectory("Encimap.Api"),
            ["ConnectionStrings__encimap"] = Databases.EncimapApp,
            ["ConnectionStrings__platform"] = Databases.PlatformReader,
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}",
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = _certificatesGrpc,
            ["services__certificates__http__0"] = Certificates.Http.AbsoluteUri,
            ["Jwt__S2S__SigningKey"] = S2s.SigningKey!,
            ["Api__BcryptCost"] = "4",
            ["Api__MailHost"] = "mail.test.example",
            // Every request the API receives is logged: the tests prove what never reached it.
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        });

    private Task<ServiceProcess> StartGatewayCoreAsync(Uri api, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_CONTENTROOT"] = ServiceDirectory("Encimap.Gateway"),
            ["services__api__http__0"] = api.AbsoluteUri,
            ["Jwt__User__SigningKey"] = User.SigningKey!,
            ["Jwt__S2S__SigningKey"] = S2s.SigningKey!,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return ServiceProcess.StartAsync("Encimap.Gateway", ServiceProcess.FreePort(), environment);
    }
}

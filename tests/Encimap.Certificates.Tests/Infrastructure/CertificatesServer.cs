using System.Net;
using System.Net.Sockets;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Encimap.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using CertificatesContract = Encimap.Contracts.Certificates.Certificates;

namespace Encimap.Certificates.Tests.Infrastructure;

/// <summary>The certificate service started in-process on real loopback sockets (an HTTP/1.1
/// endpoint and an HTTP/2-only gRPC endpoint), with its own KEK directory.</summary>
public sealed class CertificatesServer : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly bool _ownsKekDirectory;

    private CertificatesServer(WebApplication app, Uri httpAddress, Uri grpcAddress, string kekDirectory, bool ownsKekDirectory)
    {
        App = app;
        HttpAddress = httpAddress;
        GrpcAddress = grpcAddress;
        KekDirectory = kekDirectory;
        _ownsKekDirectory = ownsKekDirectory;
        // No retries: the tests see each call's own status.
        _channel = GrpcChannel.ForAddress(grpcAddress);
        var token = new InternalCallToken(new JwtTokenIssuer(InternalCallAuthentication.Options(app.Configuration)), "tests");
        Client = new CertificatesContract.CertificatesClient(_channel.Intercept(new InternalCallTokenInterceptor(token)));
        AnonymousClient = new CertificatesContract.CertificatesClient(_channel);
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public Uri HttpAddress { get; }

    public Uri GrpcAddress { get; }

    public string KekDirectory { get; }

    /// <summary>A client that authenticates as another service of the fleet.</summary>
    public CertificatesContract.CertificatesClient Client { get; }

    /// <summary>A client that sends no token: anyone who can reach the port.</summary>
    public CertificatesContract.CertificatesClient AnonymousClient { get; }

    /// <summary>Default settings for tests: a small pool, a KEK generated in a fresh directory, and
    /// the renewal job's own timer out of the way (tests call the pass directly).</summary>
    public static Dictionary<string, string?> DefaultSettings(string connectionString, string kekDirectory) => new()
    {
        ["ConnectionStrings:encimap"] = connectionString,
        ["Certificates:KekDirectory"] = kekDirectory,
        ["Certificates:GenerateDevelopmentKek"] = "true",
        ["Certificates:KeyPoolSize"] = "4",
        ["Certificates:RenewalFirstRunDelay"] = "1.00:00:00",
        ["Jwt:S2S:SigningKey"] = "test signing key of at least thirty-two bytes",
    };

    public static async Task<CertificatesServer> StartAsync(
        string connectionString,
        Action<Dictionary<string, string?>>? adjust = null,
        string? kekDirectory = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var ownsKekDirectory = kekDirectory is null;
        kekDirectory ??= Path.Combine(Directory.CreateTempSubdirectory("encimap-keks-").FullName, "keks");
        var settings = DefaultSettings(connectionString, kekDirectory);
        var httpPort = FreePort();
        var grpcPort = FreePort();
        settings["Kestrel:Endpoints:http:Url"] = $"http://127.0.0.1:{httpPort}";
        settings["Kestrel:Endpoints:http:Protocols"] = "Http1";
        settings["Kestrel:Endpoints:grpc:Url"] = $"http://127.0.0.1:{grpcPort}";
        settings["Kestrel:Endpoints:grpc:Protocols"] = "Http2";
        adjust?.Invoke(settings);

        var app = Build(settings, configure);
        await app.StartAsync();
        return new CertificatesServer(app, new Uri($"http://127.0.0.1:{httpPort}"), new Uri($"http://127.0.0.1:{grpcPort}"),
            kekDirectory, ownsKekDirectory);
    }

    /// <summary>Builds (without starting) the application with exactly <paramref name="settings"/> on top of its defaults.</summary>
    public static WebApplication Build(Dictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null) =>
        CertificatesApplication.Build(["--environment", "Production"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
            configure?.Invoke(builder);
        });

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownsKekDirectory)
        {
            try
            {
                Directory.Delete(Path.GetDirectoryName(KekDirectory)!, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

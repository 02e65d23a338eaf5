using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Encimap.Grpc.Tests.Infrastructure;

/// <summary>A real Kestrel server on 127.0.0.1, a free port, cleartext HTTP/2 only.</summary>
public sealed class KestrelGrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelGrpcServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<KestrelGrpcServer> StartAsync(
        Action<IEndpointRouteBuilder> map,
        Action<GrpcServerOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.Configure<GrpcServerOptions>(options => configure?.Invoke(options));

        var app = builder.Build();
        map(app);
        await app.StartAsync();

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new KestrelGrpcServer(app, new Uri(bound));
    }

    public HttpClient CreateHttpClient() => new(new SocketsHttpHandler()) { BaseAddress = Address, Timeout = Timeout.InfiniteTimeSpan };

    public GrpcInvoker CreateInvoker(GrpcClientOptions? options = null) => new(CreateHttpClient(), options);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

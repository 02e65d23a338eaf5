using System.Net;
using Encimap.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.ServiceDefaults.Tests;

/// <summary>A real Kestrel app on a free loopback port, with or without the service defaults.</summary>
internal sealed class LoopbackApp : IAsyncDisposable
{
    private LoopbackApp(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>
    /// A client as the platform or curl is: it sends no trace context. (An HttpClient of this
    /// process would otherwise be a call outside any operation for the tracer providers the apps
    /// of this process registered, and its "not sampled" traceparent would drop the server's span.)
    /// </summary>
    public HttpClient Client() =>
        new(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = Address };

    /// <param name="http2Only">Cleartext HTTP/2 with prior knowledge, as the services' gRPC endpoints.</param>
    public static async Task<LoopbackApp> StartAsync(
        Action<WebApplication> map,
        bool withDefaults = true,
        Dictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        bool http2Only = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = "Encimap.ServiceDefaults.Tests" });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            listen.Protocols = http2Only ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2));
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        if (withDefaults)
        {
            builder.AddServiceDefaults();
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackApp(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

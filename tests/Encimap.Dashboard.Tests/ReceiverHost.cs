using Encimap.AppHost.Dashboard;
using Encimap.AppHost.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Encimap.Dashboard.Tests;

/// <summary>The AppHost's OTLP receiver and telemetry API on a real Kestrel socket, without the fleet.</summary>
internal sealed class ReceiverHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ReceiverHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public TraceStore Traces => _app.Services.GetRequiredService<TraceStore>();

    public LogStore Logs => _app.Services.GetRequiredService<LogStore>();

    public MetricStore Metrics => _app.Services.GetRequiredService<MetricStore>();

    public static async Task<ReceiverHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        builder.Services.AddOtlpReceiver(configuration);
        var app = builder.Build();
        app.MapOtlpReceiver();
        app.MapTelemetryApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ReceiverHost(app, new Uri(address));
    }

    public Uri Signal(string signal) => new(Address, "/v1/" + signal);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

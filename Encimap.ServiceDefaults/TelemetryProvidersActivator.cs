using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Encimap.ServiceDefaults;

/// <summary>
/// Resolves the DI-owned telemetry providers when the host starts: a provider only listens once
/// it exists, and nothing else asks for it. The container disposes (and so flushes) them.
/// </summary>
internal sealed class TelemetryProvidersActivator(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<TracerProvider>();
        services.GetRequiredService<MeterProvider>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<TracerProvider>().ForceFlush(2000);
        services.GetRequiredService<MeterProvider>().ForceFlush(2000);
        return Task.CompletedTask;
    }
}

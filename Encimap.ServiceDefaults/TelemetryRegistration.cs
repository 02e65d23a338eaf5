using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Encimap.ServiceDefaults;

/// <summary>
/// Builds the OpenTelemetry tracer, meter and logger providers and hands them to DI.
/// OpenTelemetry.Extensions.Hosting (which would do this) cannot be restored here, so the
/// providers are built with the core SDK's builders and owned by the container: they start with
/// the host (see <see cref="TelemetryProvidersActivator"/>) and flush when it disposes them.
/// </summary>
internal static class TelemetryRegistration
{
    public static void AddTelemetry(IHostApplicationBuilder builder)
    {
        var serviceName = ResolveServiceName(builder);
        var exporter = OtlpExportTarget.FromConfiguration(builder.Configuration);

        builder.Services.AddSingleton(_ => BuildTracerProvider(serviceName, exporter));
        builder.Services.AddSingleton(_ => BuildMeterProvider(serviceName, exporter));
        builder.Services.AddHostedService<TelemetryProvidersActivator>();

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.SetResourceBuilder(CreateResource(serviceName));
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            if (exporter is not null)
            {
                logging.AddOtlpExporter(otlp => exporter.Configure(otlp, "logs"));
            }
        });
    }

    private static TracerProvider BuildTracerProvider(string serviceName, OtlpExportTarget? exporter)
    {
        var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(CreateResource(serviceName))
            .AddSource([.. EncimapTelemetry.ProjectSources, .. EncimapTelemetry.BuiltInActivitySources]);
        if (exporter is not null)
        {
            tracing.AddOtlpExporter(otlp => exporter.Configure(otlp, "traces"));
        }

        return tracing.Build();
    }

    private static MeterProvider BuildMeterProvider(string serviceName, OtlpExportTarget? exporter)
    {
        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(CreateResource(serviceName))
            .AddMeter([.. EncimapTelemetry.ProjectSources, .. EncimapTelemetry.BuiltInMeters]);
        if (exporter is not null)
        {
            metrics.AddOtlpExporter(otlp => exporter.Configure(otlp, "metrics"));
        }

        return metrics.Build();
    }

    private static ResourceBuilder CreateResource(string serviceName) =>
        ResourceBuilder.CreateDefault().AddService(serviceName, serviceInstanceId: Environment.ProcessId.ToString());

    private static string ResolveServiceName(IHostApplicationBuilder builder) =>
        builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : builder.Environment.ApplicationName;
}

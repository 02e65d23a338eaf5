using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Encimap.ServiceDefaults;

/// <summary>
/// The pair every service calls once, as in the .NET Aspire templates: <c>builder.AddServiceDefaults()</c>
/// (OpenTelemetry, service discovery, the standard resilience handler on every HttpClient, health
/// checks) and <c>app.MapDefaultEndpoints()</c> (<c>/health</c>, <c>/alive</c>).
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Tag of the checks that say whether the process is alive (no dependencies).</summary>
    public const string LiveTag = "live";

    /// <summary>How long a health check that sets no timeout of its own may take (the database client's checks set none).</summary>
    public static readonly TimeSpan DefaultHealthCheckTimeout = TimeSpan.FromSeconds(3);

    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Configuration section of the standard resilience handler's options (timeouts, retries, breaker).</summary>
    public const string ResilienceSection = "Resilience";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        // The resilience pipeline reports every execution attempt at Information: a line (and an
        // exported log record) for each outgoing call, health checks included. Retries, timeouts
        // and an opened circuit are reported at Warning and still show.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        builder.Services.AddServiceDiscovery();
        var resilience = builder.Configuration.GetSection(ResilienceSection);
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // gRPC calls pass through untouched (see OutgoingResilience); a client that governs
            // its own timeouts opts out with WithoutStandardResilience().
            http.AddStandardResilienceHandler(options =>
            {
                resilience.Bind(options);
                OutgoingResilience.Configure(options);
            });
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry();
        // The AppHost names each service (OTEL_SERVICE_NAME); elsewhere the assembly does.
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"]))
        {
            telemetry.ConfigureResource(resource => resource.AddService(builder.Environment.ApplicationName));
        }

        telemetry
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter([.. EncimapTelemetry.ProjectSources]))
            .WithTracing(tracing => tracing
                .AddSource([.. EncimapTelemetry.ProjectSources])
                // Orchestrators poll health every few seconds: those requests are not traces.
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsHealthRequest(context))
                .AddHttpClientInstrumentation()
                .AddGrpcClientInstrumentation()
                .AddNpgsql()
                .AddProcessor(new OrphanSpanFilter()));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        // A dependency that hangs must make /health answer "unhealthy" in seconds, not hang the probe.
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations.Where(r => r.Timeout == Timeout.InfiniteTimeSpan))
            {
                registration.Timeout = DefaultHealthCheckTimeout;
            }
        });
        return builder;
    }

    /// <summary>
    /// <c>/health</c>: readiness, every check including dependencies (503 when unhealthy);
    /// <c>/alive</c>: liveness, only the checks tagged <see cref="LiveTag"/>. Mapped in every
    /// environment, unlike the template's development-only default: the fleet's orchestrators
    /// (and its tests) probe them, and the answer names checks, never exception details.
    /// </summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).DisableHttpMetrics();
        endpoints.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).DisableHttpMetrics();
        return endpoints;
    }

    private static bool IsHealthRequest(HttpContext context) =>
        context.Request.Path.StartsWithSegments(HealthEndpointPath)
        || context.Request.Path.StartsWithSegments(AlivenessEndpointPath);
}

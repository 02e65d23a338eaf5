using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Encimap.ServiceDefaults;

/// <summary>
/// The pair every service calls once: <c>builder.AddServiceDefaults()</c> and
/// <c>app.MapDefaultEndpoints()</c>, as in the .NET Aspire templates.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Tag of the checks that say whether the process is alive (no dependencies).</summary>
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        TelemetryRegistration.AddTelemetry(builder);
        builder.Services.AddSingleton<IStartupFilter, RouteSpanNamingStartupFilter>();
        builder.Services.AddHostedService<AppHostWatcher>();

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        builder.Services.Configure<OutgoingResilienceOptions>(builder.Configuration.GetSection("Resilience"));
        builder.Services.AddSingleton<ServiceEndpointResolver>();
        builder.Services.AddTransient<ServiceDiscoveryHandler>();
        builder.Services.AddTransient<ResilienceHandler>();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddHttpMessageHandler<ResilienceHandler>();
            http.AddHttpMessageHandler<ServiceDiscoveryHandler>();
        });

        return builder;
    }

    /// <summary>
    /// <c>/health</c>: readiness, every check including dependencies (503 when unhealthy);
    /// <c>/alive</c>: liveness, only the checks tagged <see cref="LiveTag"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).DisableHttpMetrics();
        endpoints.MapHealthChecks("/alive", new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).DisableHttpMetrics();
        return endpoints;
    }
}

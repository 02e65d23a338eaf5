using Encimap.ServiceDefaults;
using Encimap.Gateway.Infrastructure;
using Encimap.Gateway.Proxy;

namespace Encimap.Gateway.Health;

/// <summary>
/// <c>GET /api/health</c> (no token): the gateway's own status and the API's health summary.
/// 200 when the API is healthy; 503 with the error envelope when it is unhealthy or cannot be
/// reached.
/// </summary>
public static class GatewayHealthEndpoints
{
    public static WebApplicationBuilder AddGatewayHealth(this WebApplicationBuilder builder)
    {
        var timeout = builder.Configuration.GetValue("Gateway:HealthProbeTimeout", TimeSpan.FromSeconds(5));
        ApiProxy.RequireApiEndpoint(builder.Configuration);
        builder.Services.AddHttpClient<ApiHealthProbe>(http =>
            {
                http.BaseAddress = ApiProxy.ApiAddress;
                http.Timeout = timeout;
            })
            .WithoutStandardResilience();
        return builder;
    }

    public static WebApplication MapGatewayHealth(this WebApplication app)
    {
        app.MapGet("/api/health", async (HttpContext context, ApiHealthProbe probe) =>
        {
            var api = await probe.ProbeAsync(context.RequestAborted);
            var healthy = api.Reachable && api.StatusCode is >= 200 and < 300 && api.Status == "healthy";
            var data = new
            {
                status = healthy ? api.Status : "unhealthy",
                gateway = "healthy",
                api = new { status = api.Status, services = api.Services },
            };
            if (healthy)
            {
                await context.Response.WriteAsJsonAsync(new GatewayEnvelope(true, data, null), context.RequestAborted);
                return;
            }

            var (code, message) = api.Reachable
                ? ("api_unhealthy", "the API reports a required dependency down")
                : ("api_unavailable", "the API could not be reached");
            await GatewayErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, code, message, data);
        }).AllowAnonymous();
        return app;
    }
}

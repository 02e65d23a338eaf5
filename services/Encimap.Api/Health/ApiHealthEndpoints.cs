using Encimap.Api.Infrastructure;

namespace Encimap.Api.Health;

/// <summary>
/// <c>GET /s2s/v1/health</c> (no token): <c>{status, services: {database, storage, mta, certificates}}</c>.
/// 503 when the database, the storage or the certificate service is down — the API cannot do its
/// work then; an MTA that is down only degrades it (mail waits in senders' queues).
/// </summary>
public static class ApiHealthEndpoints
{
    private static readonly string[] Essential = ["database", "storage", "certificates"];

    public static IEndpointRouteBuilder MapApiHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/s2s/v1/health", async (DependencyProbe probe, CancellationToken ct) =>
        {
            var services = await probe.ProbeAsync(ct);
            var unhealthy = Essential.Any(name => services[name] == "down");
            var degraded = services.Values.Any(state => state == "down");
            var status = unhealthy ? "unhealthy" : degraded ? "degraded" : "healthy";
            var body = new { status, services };
            return unhealthy
                ? Results.Json(new ApiEnvelope(false, body, new ApiError("unhealthy", "a required dependency is down")), statusCode: StatusCodes.Status503ServiceUnavailable)
                : ApiResults.Ok(body);
        }).AllowAnonymous();
        return endpoints;
    }
}

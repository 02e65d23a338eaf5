namespace Encimap.Api.Health;

/// <summary>
/// <c>GET /s2s/v1/health</c> (no token), in the seed's shape and without the envelope:
/// <c>{"status": "healthy", "services": {"database": "connected", "storage": "accessible", "mta": "running", "certificates": "running"}}</c>;
/// 503 with <c>"status": "unhealthy"</c> and the failing part named (<c>"database": "disconnected"</c>)
/// when any part the fleet has is not working.
/// </summary>
public static class ApiHealthEndpoints
{
    public static IEndpointRouteBuilder MapApiHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/s2s/v1/health", async (DependencyProbe probe, CancellationToken ct) =>
        {
            var report = await probe.ProbeAsync(ct);
            var body = new { status = report.Status, services = report.Services };
            return Results.Json(body, statusCode: report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();
        return endpoints;
    }
}

namespace Encimap.AppHost;

/// <summary>
/// The dashboard's JSON API. <c>GET /api/resources</c> lists every resource (name, state, health,
/// pid, endpoints, restarts) so scripts know when the fleet is ready; <c>GET /api/ready</c>
/// answers 200 once every resource runs healthy and 503 before.
/// </summary>
public static class ResourcesApi
{
    public static IEndpointRouteBuilder MapResourcesApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/resources", (Fleet fleet) => Results.Json(fleet.Snapshot()));
        endpoints.MapGet("/api/ready", (Fleet fleet) => fleet.IsReady
            ? Results.Json(new { ready = true })
            : Results.Json(new { ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable));
        endpoints.MapGet("/api/resources/{name}/logs", (string name, long? after, Fleet fleet) =>
            fleet.Find(name) is { } resource
                ? Results.Json(resource.Log.Since(after ?? 0))
                : Results.NotFound());
        return endpoints;
    }
}

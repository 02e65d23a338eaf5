using System.Text.Json;
using Encimap.ServiceDefaults;

namespace Encimap.Gateway.Health;

/// <summary>
/// Asks the API's <c>/s2s/v1/health</c> (<c>{status, services: {…}}</c>, no envelope). A typed
/// client without the standard resilience handler (<see cref="OutgoingResilience.WithoutStandardResilience"/>): retrying a 503 for
/// seconds would hide the state of now, which a health answer must report within
/// <c>Gateway:HealthProbeTimeout</c>.
/// </summary>
public sealed class ApiHealthProbe(HttpClient http)
{
    public async Task<ApiHealth> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync("/s2s/v1/health", cancellationToken);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            var root = document.RootElement;
            var status = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()!
                : response.IsSuccessStatusCode ? "healthy" : "unhealthy";
            JsonElement? services = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("services", out var v) ? v.Clone() : null;
            return new ApiHealth(true, (int)response.StatusCode, status, services);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException
            || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ApiHealth(false, null, "unreachable", null);
        }
    }
}

using System.Text.Json;

namespace Encimap.Gateway.Health;

/// <summary>
/// Asks the API's <c>/s2s/v1/health</c>. It owns a plain HttpClient rather than one from the
/// factory: the fleet's default outgoing resilience retries 5xx answers for seconds, and a health
/// answer must report the state of now, within <c>Gateway:HealthProbeTimeout</c>.
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
            var data = document.RootElement.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
            var status = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()!
                : response.IsSuccessStatusCode ? "healthy" : "unhealthy";
            JsonElement? services = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("services", out var v) ? v.Clone() : null;
            return new ApiHealth(true, (int)response.StatusCode, status, services);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException
            || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ApiHealth(false, null, "unreachable", null);
        }
    }
}

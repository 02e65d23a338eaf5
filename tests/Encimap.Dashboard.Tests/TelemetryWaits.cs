using System.Text.Json;

namespace Encimap.Dashboard.Tests;

/// <summary>Waits on the dashboard's telemetry API for what a test caused.</summary>
internal static class TelemetryWaits
{
    /// <summary>
    /// Polls <c>GET /api/traces</c> until a trace has spans from every one of <paramref name="services"/>
    /// (and, when given, the root span <paramref name="rootName"/>); returns its summary. Spans of
    /// each service arrive in their own export batches, so the trace completes over a few polls.
    /// </summary>
    public static async Task<JsonElement> WaitForTraceAsync(Uri dashboard, IReadOnlyCollection<string> services, string? rootName = null, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = dashboard, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        var query = $"/api/traces?hideHealth=true&limit=2000&service={Uri.EscapeDataString(services.First())}";
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = JsonDocument.Parse(await http.GetStringAsync(query)).RootElement.Clone();
            foreach (var trace in last.GetProperty("traces").EnumerateArray())
            {
                var seen = trace.GetProperty("services").EnumerateArray().Select(s => s.GetString()).ToHashSet();
                if (services.All(seen.Contains) && (rootName is null || trace.GetProperty("rootName").GetString() == rootName))
                {
                    return trace;
                }
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"no trace with spans from {string.Join(", ", services)} in time; last list: {last}");
    }
}

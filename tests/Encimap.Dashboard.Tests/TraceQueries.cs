using System.Text.Json;

namespace Encimap.Dashboard.Tests;

/// <summary>
/// Reads traces back from the dashboard's telemetry API (<c>/api/telemetry/traces</c>, OTLP JSON),
/// to find the one a test caused before looking at it in the browser.
/// </summary>
internal static class TraceQueries
{
    /// <summary>
    /// Polls until a trace has a span named <paramref name="rootSpan"/> and spans of every one of
    /// <paramref name="services"/> and of the PostgreSQL client; returns its id.
    /// </summary>
    public static async Task<string> WaitForTraceAsync(Uri dashboard, string rootSpan, IReadOnlyCollection<string> services, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = dashboard, Timeout = TimeSpan.FromSeconds(20) };
        var deadline = DateTime.UtcNow + timeout;
        var seen = "";
        while (DateTime.UtcNow < deadline)
        {
            var traces = Spans(JsonDocument.Parse(await http.GetStringAsync("/api/telemetry/traces")).RootElement)
                .GroupBy(span => span.TraceId);
            foreach (var trace in traces)
            {
                var spans = trace.ToList();
                if (spans.Any(s => s.Name == rootSpan)
                    && services.All(service => spans.Any(s => s.Service == service))
                    && spans.Any(s => s.Scope == "Npgsql"))
                {
                    return trace.Key;
                }
            }

            seen = string.Join("; ", traces.Select(t => string.Join(",", t.Select(s => $"{s.Service}:{s.Name}").Distinct())));
            await Task.Delay(500);
        }

        throw new TimeoutException($"no trace '{rootSpan}' across {string.Join(", ", services)} with PostgreSQL spans; seen: {seen}");
    }

    private static IEnumerable<(string TraceId, string Service, string Scope, string Name)> Spans(JsonElement root)
    {
        foreach (var resourceSpans in root.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = resourceSpans.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                .Where(a => a.GetProperty("key").GetString() == "service.name")
                .Select(a => a.GetProperty("value").GetProperty("stringValue").GetString())
                .FirstOrDefault() ?? "";
            foreach (var scopeSpans in resourceSpans.GetProperty("scopeSpans").EnumerateArray())
            {
                var scope = scopeSpans.GetProperty("scope").GetProperty("name").GetString() ?? "";
                foreach (var span in scopeSpans.GetProperty("spans").EnumerateArray())
                {
                    yield return (span.GetProperty("traceId").GetString()!, service, scope, span.GetProperty("name").GetString()!);
                }
            }
        }
    }
}

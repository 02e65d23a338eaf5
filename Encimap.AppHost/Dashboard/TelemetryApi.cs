using Encimap.AppHost.Otlp;

namespace Encimap.AppHost.Dashboard;

/// <summary>
/// The dashboard's telemetry queries over what the OTLP receiver stored:
/// <c>GET /api/traces?service=&amp;search=&amp;hideHealth=&amp;limit=</c> (trace list, newest first),
/// <c>GET /api/traces/{traceId}</c> (one trace, spans in tree order with offsets, attributes, events),
/// <c>GET /api/logs?service=&amp;level=&amp;traceId=&amp;search=&amp;after=&amp;limit=</c> (structured logs, newest first; <c>level</c> is a minimum),
/// <c>GET /api/metrics?service=</c> (request rate, error rate, latency percentiles, project counters),
/// <c>GET /api/telemetry/services</c> (services that sent anything).
/// </summary>
public static class TelemetryApi
{
    public static IEndpointRouteBuilder MapTelemetryApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/traces", (TraceStore traces, string? service, string? search, bool? hideHealth, int? limit) =>
            Results.Json(new
            {
                spanCount = traces.SpanCount,
                traceCount = traces.TraceCount,
                traces = traces.List(Blank(service), Blank(search), hideHealth ?? false, limit ?? 200),
            }));
        endpoints.MapGet("/api/traces/{traceId}", (string traceId, TraceStore traces) =>
            traces.Get(traceId) is { } trace ? Results.Json(trace) : Results.NotFound());
        endpoints.MapGet("/api/logs", (LogStore logs, string? service, string? level, string? traceId, string? search, long? after, int? limit) =>
        {
            if (Blank(level) is { } minimum && LogEntry.IndexOf(minimum) < 0)
            {
                return Results.BadRequest(new { error = $"level must be one of {string.Join(", ", LogEntry.Levels)}" });
            }

            var result = logs.Query(Blank(service), Blank(level), Blank(traceId), Blank(search), after ?? 0, limit ?? 500);
            return Results.Json(new { total = result.Total, lastSequence = result.LastSequence, records = result.Records });
        });
        endpoints.MapGet("/api/metrics", (MetricStore metrics, string? service) => Results.Json(metrics.Summaries(Blank(service))));
        endpoints.MapGet("/api/telemetry/services", (TraceStore traces, LogStore logs, MetricStore metrics) =>
            Results.Json(traces.Services().Concat(logs.Services()).Concat(metrics.Services()).Distinct().Order(StringComparer.Ordinal)));
        return endpoints;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

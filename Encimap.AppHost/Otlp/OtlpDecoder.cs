using Encimap.AppHost.Otlp.Proto.Collector.Logs.V1;
using Encimap.AppHost.Otlp.Proto.Collector.Trace.V1;
using Encimap.AppHost.Otlp.Proto.Trace.V1;
using Microsoft.Extensions.Options;

namespace Encimap.AppHost.Otlp;

/// <summary>Turns decoded OTLP export requests into the records the stores keep.</summary>
public sealed class OtlpDecoder(IOptions<TelemetryStoreOptions> options)
{
    private readonly TelemetryStoreOptions _limits = options.Value;

    public List<SpanRecord> Spans(ExportTraceServiceRequest request)
    {
        var spans = new List<SpanRecord>();
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var service = OtlpValues.ServiceName(resourceSpans.Resource);
            var resource = resourceSpans.Resource is null ? [] : OtlpValues.Attributes(resourceSpans.Resource.Attributes, _limits);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = scopeSpans.Scope?.Name ?? "";
                foreach (var span in scopeSpans.Spans)
                {
                    spans.Add(new SpanRecord(
                        OtlpValues.Hex(span.TraceId),
                        OtlpValues.Hex(span.SpanId),
                        OtlpValues.Hex(span.ParentSpanId),
                        span.Name,
                        KindName(span.Kind),
                        service,
                        scope,
                        span.StartTimeUnixNano,
                        span.EndTimeUnixNano,
                        StatusName(span.Status),
                        span.Status is { Message.Length: > 0 } status ? status.Message : null,
                        OtlpValues.Attributes(span.Attributes, _limits),
                        span.Events.Take(_limits.MaxAttributes)
                            .Select(e => new SpanEventRecord(e.Name, e.TimeUnixNano, OtlpValues.Attributes(e.Attributes, _limits)))
                            .ToList(),
                        span.Links.Take(_limits.MaxAttributes)
                            .Select(l => new SpanLinkRecord(OtlpValues.Hex(l.TraceId), OtlpValues.Hex(l.SpanId)))
                            .ToList(),
                        resource));
                }
            }
        }

        return spans;
    }

    public List<LogEntry> Logs(ExportLogsServiceRequest request)
    {
        var records = new List<LogEntry>();
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var service = OtlpValues.ServiceName(resourceLogs.Resource);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                // The .NET SDK names the scope after the logger's category.
                var category = scopeLogs.Scope?.Name ?? "";
                foreach (var log in scopeLogs.LogRecords)
                {
                    var time = log.TimeUnixNano != 0 ? log.TimeUnixNano : log.ObservedTimeUnixNano;
                    records.Add(new LogEntry(
                        0,
                        time != 0 ? OtlpValues.Time(time) : DateTimeOffset.UtcNow,
                        service,
                        (int)log.SeverityNumber,
                        LogEntry.LevelOf((int)log.SeverityNumber, log.SeverityText),
                        category,
                        OtlpValues.Text(log.Body, _limits.MaxAttributeValueLength),
                        OtlpValues.Hex(log.TraceId),
                        OtlpValues.Hex(log.SpanId),
                        log.EventName is { Length: > 0 } eventName ? eventName : null,
                        OtlpValues.Attributes(log.Attributes, _limits)));
                }
            }
        }

        return records;
    }

    private static string KindName(Span.Types.SpanKind kind) => kind switch
    {
        Span.Types.SpanKind.Internal => "Internal",
        Span.Types.SpanKind.Server => "Server",
        Span.Types.SpanKind.Client => "Client",
        Span.Types.SpanKind.Producer => "Producer",
        Span.Types.SpanKind.Consumer => "Consumer",
        _ => "Unspecified",
    };

    private static string StatusName(Status? status) => status?.Code switch
    {
        Status.Types.StatusCode.Ok => "Ok",
        Status.Types.StatusCode.Error => "Error",
        _ => "Unset",
    };
}

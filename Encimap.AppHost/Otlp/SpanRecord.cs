namespace Encimap.AppHost.Otlp;

/// <summary>One span as the dashboard keeps it, decoded from OTLP.</summary>
public sealed record SpanRecord(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    string Kind,
    string Service,
    string Scope,
    ulong StartUnixNano,
    ulong EndUnixNano,
    string Status,
    string? StatusMessage,
    IReadOnlyList<TelemetryAttribute> Attributes,
    IReadOnlyList<SpanEventRecord> Events,
    IReadOnlyList<SpanLinkRecord> Links,
    IReadOnlyList<TelemetryAttribute> Resource)
{
    public bool IsError => Status == "Error";

    public double DurationMs => EndUnixNano > StartUnixNano ? (EndUnixNano - StartUnixNano) / 1e6 : 0;
}

/// <summary>A timed event of a span (an exception, say).</summary>
public sealed record SpanEventRecord(string Name, ulong TimeUnixNano, IReadOnlyList<TelemetryAttribute> Attributes);

/// <summary>A link from a span to a span of another (or the same) trace.</summary>
public sealed record SpanLinkRecord(string TraceId, string SpanId);

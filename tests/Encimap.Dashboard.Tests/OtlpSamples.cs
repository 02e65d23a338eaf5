using Encimap.AppHost.Otlp.Proto.Collector.Logs.V1;
using Encimap.AppHost.Otlp.Proto.Collector.Trace.V1;
using Encimap.AppHost.Otlp.Proto.Common.V1;
using Encimap.AppHost.Otlp.Proto.Logs.V1;
using Encimap.AppHost.Otlp.Proto.Resource.V1;
using Encimap.AppHost.Otlp.Proto.Trace.V1;
using Google.Protobuf;
using SpanKind = Encimap.AppHost.Otlp.Proto.Trace.V1.Span.Types.SpanKind;
using SpanMessage = Encimap.AppHost.Otlp.Proto.Trace.V1.Span;

namespace Encimap.Dashboard.Tests;

/// <summary>OTLP requests built with the generated message classes.</summary>
internal static class OtlpSamples
{
    public static readonly ulong Epoch = (ulong)DateTimeOffset.Parse("2026-11-21T10:00:00Z").ToUnixTimeMilliseconds() * 1_000_000;

    public static ByteString Id(int length, int seed) => ByteString.CopyFrom(Enumerable.Range(0, length).Select(i => (byte)(seed * 31 + i)).ToArray());

    public static KeyValue Attribute(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static KeyValue Attribute(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    public static Resource Service(string name) => new() { Attributes = { Attribute("service.name", name), Attribute("service.instance.id", "42") } };

    public static SpanMessage Span(ByteString traceId, ByteString spanId, ByteString? parent, string name, ulong startMs, ulong durationMs, SpanKind kind = SpanKind.Server) => new()
    {
        TraceId = traceId,
        SpanId = spanId,
        ParentSpanId = parent ?? ByteString.Empty,
        Name = name,
        Kind = kind,
        StartTimeUnixNano = Epoch + startMs * 1_000_000,
        EndTimeUnixNano = Epoch + (startMs + durationMs) * 1_000_000,
    };

    public static ExportTraceServiceRequest Traces(string service, params SpanMessage[] spans) => new()
    {
        ResourceSpans =
        {
            new ResourceSpans
            {
                Resource = Service(service),
                ScopeSpans = { new ScopeSpans { Scope = new InstrumentationScope { Name = "Tests" }, Spans = { spans } } },
            },
        },
    };

    public static ExportLogsServiceRequest Logs(string service, params LogRecord[] records) => new()
    {
        ResourceLogs =
        {
            new ResourceLogs
            {
                Resource = Service(service),
                ScopeLogs = { new ScopeLogs { Scope = new InstrumentationScope { Name = "Encimap.Tests.Category" }, LogRecords = { records } } },
            },
        },
    };

    public static LogRecord Log(string message, SeverityNumber severity, ulong atMs = 0, ByteString? traceId = null) => new()
    {
        TimeUnixNano = Epoch + atMs * 1_000_000,
        SeverityNumber = severity,
        SeverityText = severity.ToString(),
        Body = new AnyValue { StringValue = message },
        TraceId = traceId ?? ByteString.Empty,
    };
}

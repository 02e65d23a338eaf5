using Microsoft.Extensions.Options;

namespace Encimap.AppHost.Otlp;

/// <summary>
/// The most recent spans (at most <see cref="TelemetryStoreOptions.MaxSpans"/>), grouped by trace.
/// When full, the oldest span received goes first; a trace disappears with its last span.
/// </summary>
public sealed class TraceStore(IOptions<TelemetryStoreOptions> options)
{
    private static readonly string[] HealthRoutes = ["/health", "/alive"];

    private readonly int _capacity = Math.Max(1, options.Value.MaxSpans);
    private readonly Lock _gate = new();
    private readonly Queue<SpanRecord> _order = new();
    private readonly Dictionary<string, List<SpanRecord>> _traces = new(StringComparer.Ordinal);

    public int SpanCount
    {
        get { lock (_gate) { return _order.Count; } }
    }

    public int TraceCount
    {
        get { lock (_gate) { return _traces.Count; } }
    }

    public void Add(IEnumerable<SpanRecord> spans)
    {
        lock (_gate)
        {
            foreach (var span in spans)
            {
                if (span.TraceId.Length == 0 || span.SpanId.Length == 0)
                {
                    continue;
                }

                if (!_traces.TryGetValue(span.TraceId, out var trace))
                {
                    _traces[span.TraceId] = trace = [];
                }
                else if (trace.Exists(s => s.SpanId == span.SpanId))
                {
                    continue; // an exporter's retry of a batch that arrived
                }

                trace.Add(span);
                _order.Enqueue(span);
                while (_order.Count > _capacity)
                {
                    Evict(_order.Dequeue());
                }
            }
        }
    }

    /// <summary>Traces, newest first, whose spans include <paramref name="service"/> and mention <paramref name="search"/>.</summary>
    public IReadOnlyList<TraceSummary> List(string? service = null, string? search = null, bool hideHealthProbes = false, int limit = 200)
    {
        List<SpanRecord[]> traces;
        lock (_gate)
        {
            traces = _traces.Values.Select(t => t.ToArray()).ToList();
        }

        return traces
            .Where(t => string.IsNullOrEmpty(service) || Array.Exists(t, s => s.Service == service))
            .Where(t => string.IsNullOrEmpty(search) || Matches(t, search))
            .Select(Summarize)
            .Where(t => !hideHealthProbes || !IsHealthProbe(t))
            .OrderByDescending(t => t.StartUnixNano)
            .Take(Math.Clamp(limit, 1, 2000))
            .ToList();
    }

    public TraceDetail? Get(string traceId)
    {
        SpanRecord[] spans;
        lock (_gate)
        {
            if (!_traces.TryGetValue(traceId.ToLowerInvariant(), out var trace))
            {
                return null;
            }

            spans = trace.ToArray();
        }

        var summary = Summarize(spans);
        var ordered = new List<TraceSpan>(spans.Length);
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var children = spans.Where(s => ids.Contains(s.ParentSpanId))
            .GroupBy(s => s.ParentSpanId)
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.StartUnixNano).ToList());
        var stack = new Stack<(SpanRecord Span, int Depth)>();
        foreach (var root in spans.Where(s => !ids.Contains(s.ParentSpanId)).OrderByDescending(s => s.StartUnixNano))
        {
            stack.Push((root, 0));
        }

        while (stack.Count > 0)
        {
            var (span, depth) = stack.Pop();
            ordered.Add(TraceSpan.From(span, depth, summary.StartUnixNano));
            if (children.TryGetValue(span.SpanId, out var kids))
            {
                for (var i = kids.Count - 1; i >= 0; i--)
                {
                    stack.Push((kids[i], depth + 1));
                }
            }
        }

        return new TraceDetail(summary, ordered);
    }

    /// <summary>Names of the services that sent spans, sorted.</summary>
    public IReadOnlyList<string> Services()
    {
        lock (_gate)
        {
            return _order.Select(s => s.Service).Distinct().Order(StringComparer.Ordinal).ToList();
        }
    }

    private void Evict(SpanRecord span)
    {
        if (_traces.TryGetValue(span.TraceId, out var trace))
        {
            var index = trace.FindIndex(s => ReferenceEquals(s, span));
            if (index >= 0)
            {
                trace.RemoveAt(index);
            }

            if (trace.Count == 0)
            {
                _traces.Remove(span.TraceId);
            }
        }
    }

    private static bool Matches(SpanRecord[] trace, string search) =>
        trace[0].TraceId.Contains(search, StringComparison.OrdinalIgnoreCase)
        || Array.Exists(trace, s => s.Name.Contains(search, StringComparison.OrdinalIgnoreCase)
            || s.Service.Contains(search, StringComparison.OrdinalIgnoreCase)
            || s.Attributes.Any(a => a.Value.Contains(search, StringComparison.OrdinalIgnoreCase)));

    // A trace of one health request (the AppHost probes every service): noise in the trace list.
    private static bool IsHealthProbe(TraceSummary trace) =>
        trace.RootName.StartsWith("GET ", StringComparison.Ordinal)
        && HealthRoutes.Contains(trace.RootName[4..], StringComparer.Ordinal);

    private static TraceSummary Summarize(SpanRecord[] spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var root = spans.Where(s => s.ParentSpanId.Length == 0).MinBy(s => s.StartUnixNano)
            ?? spans.Where(s => !ids.Contains(s.ParentSpanId)).MinBy(s => s.StartUnixNano)
            ?? spans[0];
        var start = spans.Min(s => s.StartUnixNano);
        var end = spans.Max(s => Math.Max(s.EndUnixNano, s.StartUnixNano));
        var services = spans.OrderBy(s => s.StartUnixNano).Select(s => s.Service).Distinct().ToList();
        return new TraceSummary(
            spans[0].TraceId,
            root.Name,
            root.Service,
            services,
            OtlpValues.Time(start),
            start,
            (end - start) / 1e6,
            spans.Length,
            spans.Count(s => s.IsError),
            root.ParentSpanId.Length == 0);
    }
}

/// <summary>One line of the trace list.</summary>
public sealed record TraceSummary(
    string TraceId,
    string RootName,
    string RootService,
    IReadOnlyList<string> Services,
    DateTimeOffset StartTime,
    [property: System.Text.Json.Serialization.JsonIgnore] ulong StartUnixNano,
    double DurationMs,
    int SpanCount,
    int ErrorCount,
    bool HasRoot);

/// <summary>A trace with its spans in tree order (each after its parent, siblings by start time).</summary>
public sealed record TraceDetail(TraceSummary Trace, IReadOnlyList<TraceSpan> Spans);

/// <summary>A span as the waterfall draws it: offsets from the trace's start.</summary>
public sealed record TraceSpan(
    string SpanId,
    string ParentSpanId,
    int Depth,
    string Name,
    string Kind,
    string Service,
    string Scope,
    DateTimeOffset StartTime,
    double StartOffsetMs,
    double DurationMs,
    string Status,
    string? StatusMessage,
    IReadOnlyList<TelemetryAttribute> Attributes,
    IReadOnlyList<TraceSpanEvent> Events,
    IReadOnlyList<SpanLinkRecord> Links,
    IReadOnlyList<TelemetryAttribute> Resource)
{
    public static TraceSpan From(SpanRecord span, int depth, ulong traceStart) => new(
        span.SpanId,
        span.ParentSpanId,
        depth,
        span.Name,
        span.Kind,
        span.Service,
        span.Scope,
        OtlpValues.Time(span.StartUnixNano),
        Offset(span.StartUnixNano, traceStart),
        span.DurationMs,
        span.Status,
        span.StatusMessage,
        span.Attributes,
        span.Events.Select(e => new TraceSpanEvent(e.Name, OtlpValues.Time(e.TimeUnixNano), Offset(e.TimeUnixNano, traceStart), e.Attributes)).ToList(),
        span.Links,
        span.Resource);

    private static double Offset(ulong time, ulong traceStart) => time > traceStart ? (time - traceStart) / 1e6 : 0;
}

/// <summary>An event of a span, with its offset from the trace's start.</summary>
public sealed record TraceSpanEvent(string Name, DateTimeOffset Time, double OffsetMs, IReadOnlyList<TelemetryAttribute> Attributes);

using Encimap.AppHost.Otlp.Proto.Collector.Metrics.V1;
using Encimap.AppHost.Otlp.Proto.Metrics.V1;
using Microsoft.Extensions.Options;

namespace Encimap.AppHost.Otlp;

/// <summary>
/// The latest value of every metric series per service, plus a short history of the HTTP server
/// request histogram (<c>http.server.request.duration</c>) from which the dashboard derives
/// request rate, error rate and latency percentiles over the last minute. Cumulative and delta
/// temporality both work: deltas are added up into cumulative values.
/// </summary>
public sealed class MetricStore(IOptions<TelemetryStoreOptions> options, TimeProvider? time = null)
{
    public const string RequestDuration = "http.server.request.duration";
    public const string ProjectPrefix = "encimap.";

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan History = TimeSpan.FromMinutes(10);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly int _maxSeries = Math.Max(16, options.Value.MaxMetricSeriesPerService);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ServiceMetrics> _services = new(StringComparer.Ordinal);

    public void Add(ExportMetricsServiceRequest request)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            foreach (var resourceMetrics in request.ResourceMetrics)
            {
                var name = OtlpValues.ServiceName(resourceMetrics.Resource);
                if (!_services.TryGetValue(name, out var service))
                {
                    _services[name] = service = new ServiceMetrics(name);
                }

                service.Observe(OtlpValues.Find(resourceMetrics.Resource?.Attributes, "service.instance.id") ?? "", now);
                var requestsSeen = false;
                foreach (var scope in resourceMetrics.ScopeMetrics)
                {
                    foreach (var metric in scope.Metrics)
                    {
                        requestsSeen |= service.Record(metric, now, _maxSeries);
                    }
                }

                if (requestsSeen)
                {
                    service.SampleRequests(now);
                }
            }
        }
    }

    public IReadOnlyList<string> Services()
    {
        lock (_gate)
        {
            return _services.Keys.Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Derived figures of every service (or of one), sorted by service name.</summary>
    public IReadOnlyList<ServiceMetricsSummary> Summaries(string? service = null)
    {
        lock (_gate)
        {
            return _services.Values
                .Where(s => string.IsNullOrEmpty(service) || s.Name == service)
                .OrderBy(s => s.Name, StringComparer.Ordinal)
                .Select(s => s.Summarize())
                .ToList();
        }
    }

    /// <summary>The value at quantile <paramref name="q"/> of an explicit-bucket histogram, interpolated inside its bucket.</summary>
    public static double? Percentile(IReadOnlyList<double> bounds, IReadOnlyList<ulong> buckets, double q)
    {
        ulong total = 0;
        foreach (var count in buckets)
        {
            total += count;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = q * total;
        double cumulative = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            if (buckets[i] == 0)
            {
                continue;
            }

            var before = cumulative;
            cumulative += buckets[i];
            if (cumulative >= rank)
            {
                var lower = i == 0 ? 0 : bounds[Math.Min(i - 1, bounds.Count - 1)];
                // The overflow bucket has no upper bound: report its lower bound.
                var upper = i < bounds.Count ? bounds[i] : lower;
                return lower + (upper - lower) * ((rank - before) / buckets[i]);
            }
        }

        return bounds.Count > 0 ? bounds[^1] : null;
    }

    private sealed class ServiceMetrics(string name)
    {
        private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);
        private readonly Dictionary<string, InstrumentSummary> _instruments = new(StringComparer.Ordinal);
        private readonly List<RequestSample> _samples = [];
        private string _instance = "";
        private DateTimeOffset _updatedAt;

        public string Name { get; } = name;

        public void Observe(string instance, DateTimeOffset now)
        {
            // A restarted service starts its cumulative counts again: forget the old process's.
            if (instance.Length > 0 && _instance.Length > 0 && instance != _instance)
            {
                _series.Clear();
                _samples.Clear();
            }

            if (instance.Length > 0)
            {
                _instance = instance;
            }

            _updatedAt = now;
        }

        /// <summary>Updates the metric's series; true when it is the HTTP server request histogram.</summary>
        public bool Record(Metric metric, DateTimeOffset now, int maxSeries)
        {
            if (_instruments.Count < maxSeries)
            {
                _instruments[metric.Name] = new InstrumentSummary(metric.Name, metric.Unit, metric.DataCase.ToString(), metric.Description);
            }

            switch (metric.DataCase)
            {
                case Metric.DataOneofCase.Gauge:
                    foreach (var point in metric.Gauge.DataPoints)
                    {
                        Find(metric, OtlpValues.Label(point.Attributes), maxSeries, point.StartTimeUnixNano)?.Set(Value(point), point.TimeUnixNano);
                    }

                    return false;
                case Metric.DataOneofCase.Sum:
                    var delta = metric.Sum.AggregationTemporality == AggregationTemporality.Delta;
                    foreach (var point in metric.Sum.DataPoints)
                    {
                        var series = Find(metric, OtlpValues.Label(point.Attributes), maxSeries, point.StartTimeUnixNano);
                        series?.Set(delta ? series.Value + Value(point) : Value(point), point.TimeUnixNano);
                    }

                    return false;
                case Metric.DataOneofCase.Histogram:
                    var deltas = metric.Histogram.AggregationTemporality == AggregationTemporality.Delta;
                    foreach (var point in metric.Histogram.DataPoints)
                    {
                        var series = Find(metric, OtlpValues.Label(point.Attributes), maxSeries, point.StartTimeUnixNano);
                        if (series is null)
                        {
                            continue;
                        }

                        series.IsError = metric.Name == RequestDuration && IsError(point);
                        series.SetHistogram(point, deltas);
                    }

                    return metric.Name == RequestDuration;
                default:
                    return false;
            }
        }

        public void SampleRequests(DateTimeOffset now)
        {
            var requests = _series.Values.Where(s => s.Name == RequestDuration && s.Bounds.Length + 1 == s.Buckets.Length).ToList();
            if (requests.Count == 0)
            {
                return;
            }

            // Series share the instrument's bucket bounds; merge those that have the common ones.
            var bounds = requests.GroupBy(s => string.Join(',', s.Bounds)).MaxBy(g => g.Count())!.First().Bounds;
            var buckets = new ulong[bounds.Length + 1];
            foreach (var series in requests.Where(s => s.Bounds.AsSpan().SequenceEqual(bounds)))
            {
                for (var i = 0; i < buckets.Length; i++)
                {
                    buckets[i] += series.Buckets[i];
                }
            }

            var pointTime = requests.Max(s => s.TimeUnixNano);
            var start = requests.Min(s => s.StartUnixNano);
            _samples.Add(new RequestSample(
                pointTime > 0 ? OtlpValues.Time(pointTime) : now,
                start > 0 ? OtlpValues.Time(start) : now,
                (ulong)requests.Sum(s => (decimal)s.Count),
                (ulong)requests.Where(s => s.IsError).Sum(s => (decimal)s.Count),
                bounds,
                buckets,
                requests[0].Unit));
            // Point times come from the service's clock: age the history by them, not by ours.
            var newest = _samples[^1].Time;
            _samples.RemoveAll(s => s.Time < newest - History);
            if (_samples.Count > 1000)
            {
                _samples.RemoveRange(0, _samples.Count - 1000);
            }
        }

        public ServiceMetricsSummary Summarize()
        {
            var counters = _series.Values
                .Where(s => s.Kind == Metric.DataOneofCase.Sum && s.Name.StartsWith(ProjectPrefix, StringComparison.Ordinal))
                .GroupBy(s => s.Name)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new CounterSummary(
                    g.Key,
                    g.First().Unit,
                    g.First().Description,
                    g.Sum(s => s.Value),
                    g.OrderByDescending(s => s.Value).Take(20).Select(s => new CounterBreakdown(s.Label, s.Value)).ToList()))
                .ToList();
            return new ServiceMetricsSummary(
                Name,
                _instance,
                _updatedAt,
                SummarizeRequests(),
                counters,
                _instruments.Values.OrderBy(i => i.Name, StringComparer.Ordinal).ToList());
        }

        private RequestMetrics? SummarizeRequests()
        {
            if (_samples.Count == 0)
            {
                return null;
            }

            var latest = _samples[^1];
            var scale = latest.Unit == "ms" ? 1.0 : 1000.0;
            var baseline = _samples.LastOrDefault(s => s.Time <= latest.Time - Window && s.Count <= latest.Count)
                ?? _samples.FirstOrDefault(s => s != latest && s.Count <= latest.Count && s.Time < latest.Time);
            ulong count, errors;
            ulong[] buckets;
            double seconds;
            if (baseline is not null)
            {
                count = latest.Count - baseline.Count;
                errors = latest.Errors >= baseline.Errors ? latest.Errors - baseline.Errors : 0;
                buckets = latest.Buckets.Select((b, i) => i < baseline.Buckets.Length && b >= baseline.Buckets[i] ? b - baseline.Buckets[i] : b).ToArray();
                seconds = (latest.Time - baseline.Time).TotalSeconds;
            }
            else
            {
                count = latest.Count;
                errors = latest.Errors;
                buckets = latest.Buckets;
                seconds = (latest.Time - latest.Start).TotalSeconds;
            }

            // No request in the window: the latencies since the process started are the best there is.
            var latencyBuckets = count > 0 ? buckets : latest.Buckets;
            return new RequestMetrics(
                latest.Count,
                latest.Errors,
                seconds > 0 ? count / seconds : null,
                count > 0 ? (double)errors / count : null,
                Percentile(latest.Bounds, latencyBuckets, 0.50) * scale,
                Percentile(latest.Bounds, latencyBuckets, 0.95) * scale,
                Math.Round(seconds, 1));
        }

        private Series? Find(Metric metric, string label, int maxSeries, ulong start)
        {
            var key = metric.Name + "\n" + label;
            if (!_series.TryGetValue(key, out var series))
            {
                if (_series.Count >= maxSeries)
                {
                    return null;
                }

                _series[key] = series = new Series(metric.Name, label, metric.Unit, metric.Description, metric.DataCase);
            }

            series.StartUnixNano = start;
            return series;
        }

        private static double Value(NumberDataPoint point) =>
            point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;

        private static bool IsError(HistogramDataPoint point)
        {
            var status = OtlpValues.Find(point.Attributes, "http.response.status_code");
            return (int.TryParse(status, out var code) && code >= 500) || OtlpValues.Find(point.Attributes, "error.type") is { Length: > 0 };
        }
    }

    private sealed class Series(string name, string label, string unit, string description, Metric.DataOneofCase kind)
    {
        public string Name { get; } = name;

        public string Label { get; } = label;

        public string Unit { get; } = unit;

        public string Description { get; } = description;

        public Metric.DataOneofCase Kind { get; } = kind;

        public double Value { get; private set; }

        public ulong Count { get; private set; }

        public double[] Bounds { get; private set; } = [];

        public ulong[] Buckets { get; private set; } = [];

        public ulong StartUnixNano { get; set; }

        public ulong TimeUnixNano { get; private set; }

        public bool IsError { get; set; }

        public void Set(double value, ulong time)
        {
            Value = value;
            TimeUnixNano = time;
        }

        public void SetHistogram(HistogramDataPoint point, bool delta)
        {
            var bounds = point.ExplicitBounds.ToArray();
            var buckets = point.BucketCounts.ToArray();
            if (delta && bounds.AsSpan().SequenceEqual(Bounds) && buckets.Length == Buckets.Length)
            {
                for (var i = 0; i < buckets.Length; i++)
                {
                    buckets[i] += Buckets[i];
                }

                Count += point.Count;
                Value += point.HasSum ? point.Sum : 0;
            }
            else
            {
                Count = point.Count;
                Value = point.HasSum ? point.Sum : 0;
            }

            Bounds = bounds;
            Buckets = buckets;
            TimeUnixNano = point.TimeUnixNano;
        }
    }

    private sealed record RequestSample(DateTimeOffset Time, DateTimeOffset Start, ulong Count, ulong Errors, double[] Bounds, ulong[] Buckets, string Unit);
}

/// <summary>What <c>GET /api/metrics</c> says of one service.</summary>
public sealed record ServiceMetricsSummary(
    string Service,
    string Instance,
    DateTimeOffset UpdatedAt,
    RequestMetrics? Requests,
    IReadOnlyList<CounterSummary> Counters,
    IReadOnlyList<InstrumentSummary> Instruments);

/// <summary>
/// HTTP server requests: totals since the process started, and over the last minute (or since the
/// start when there is no older sample) the rate per second, the fraction of 5xx answers and the
/// latency percentiles in milliseconds.
/// </summary>
public sealed record RequestMetrics(
    ulong Total,
    ulong Errors,
    double? RatePerSecond,
    double? ErrorRate,
    double? P50Ms,
    double? P95Ms,
    double WindowSeconds);

/// <summary>A project counter (<c>encimap.*</c>: deliveries, issued certificates…), its total and largest attribute sets.</summary>
public sealed record CounterSummary(string Name, string Unit, string Description, double Total, IReadOnlyList<CounterBreakdown> Breakdown);

public sealed record CounterBreakdown(string Attributes, double Value);

public sealed record InstrumentSummary(string Name, string Unit, string Type, string Description);

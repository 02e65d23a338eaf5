using Encimap.AppHost.Otlp;
using Encimap.AppHost.Otlp.Proto.Collector.Metrics.V1;
using Encimap.AppHost.Otlp.Proto.Logs.V1;
using Encimap.AppHost.Otlp.Proto.Metrics.V1;
using Microsoft.Extensions.Options;
using static Encimap.Dashboard.Tests.OtlpSamples;

namespace Encimap.Dashboard.Tests;

/// <summary>Memory stays bounded however much telemetry arrives: ring buffers, oldest out first.</summary>
public sealed class StoreBoundsTests
{
    [Fact]
    public void The_trace_store_keeps_the_newest_spans_and_drops_traces_with_their_last_span()
    {
        var options = Options(o => o.MaxSpans = 100);
        var store = new TraceStore(options);
        var decoder = new OtlpDecoder(options);
        for (var t = 0; t < 50; t++)
        {
            var traceId = Id(16, 1000 + t);
            var root = Span(traceId, Id(8, 2000 + t), null, $"trace {t}", (ulong)t * 10, 5);
            store.Add(decoder.Spans(Traces("api", root, Span(traceId, Id(8, 3000 + t), root.SpanId, "child", (ulong)t * 10 + 1, 2))));
            store.Add(decoder.Spans(Traces("api", root))); // a retried batch adds nothing
        }

        Assert.Equal(100, store.SpanCount);
        Assert.Equal(50, store.TraceCount);

        store.Add(decoder.Spans(Traces("api", Enumerable.Range(0, 30).Select(i => Span(Id(16, 5000 + i), Id(8, 6000 + i), null, $"late {i}", 10_000 + (ulong)i, 1)).ToArray())));

        Assert.Equal(100, store.SpanCount);
        Assert.Equal(65, store.TraceCount); // 15 old traces went whole, 35 stay, 30 new ones
        var names = store.List(limit: 2000).Select(t => t.RootName).ToList();
        Assert.DoesNotContain("trace 14", names);
        Assert.Contains("trace 15", names);
        Assert.Equal("late 29", names[0]);
        Assert.Null(store.Get(Convert.ToHexStringLower(Id(16, 1000).Span)));
    }

    [Fact]
    public void The_log_store_keeps_the_newest_records()
    {
        var options = Options(o => o.MaxLogRecords = 50);
        var store = new LogStore(options);
        var decoder = new OtlpDecoder(options);
        for (var i = 0; i < 120; i++)
        {
            store.Add(decoder.Logs(Logs("intake", Log($"record {i}", SeverityNumber.Info, (ulong)i))));
        }

        var result = store.Query(limit: 5000);
        Assert.Equal(50, store.Count);
        Assert.Equal(50, result.Total);
        Assert.Equal("record 119", result.Records[0].Message);
        Assert.Equal("record 70", result.Records[^1].Message);
        Assert.Equal(120, result.LastSequence);
        Assert.Equal(["record 119", "record 118"], store.Query(after: 118 - 1).Records.Take(2).Select(r => r.Message));
    }

    [Fact]
    public void Attributes_are_capped_in_number_and_length()
    {
        var options = Options(o =>
        {
            o.MaxAttributes = 3;
            o.MaxAttributeValueLength = 10;
        });
        var span = Span(Id(16, 1), Id(8, 2), null, "big", 0, 1);
        for (var i = 0; i < 10; i++)
        {
            span.Attributes.Add(Attribute($"k{i}", new string('v', 100)));
        }

        var record = Assert.Single(new OtlpDecoder(options).Spans(Traces("api", span)));

        Assert.Equal(3, record.Attributes.Count);
        Assert.Equal(new string('v', 10) + "…", record.Attributes[0].Value);
    }

    [Fact]
    public void Metric_series_are_capped_per_service_and_delta_histograms_add_up()
    {
        var store = new MetricStore(Options(o => o.MaxMetricSeriesPerService = 16));
        for (var batch = 0; batch < 3; batch++)
        {
            var request = new ExportMetricsServiceRequest
            {
                ResourceMetrics =
                {
                    new ResourceMetrics
                    {
                        Resource = Service("gateway"),
                        ScopeMetrics =
                        {
                            new ScopeMetrics
                            {
                                Metrics =
                                {
                                    new Metric
                                    {
                                        Name = MetricStore.RequestDuration,
                                        Unit = "s",
                                        Histogram = new Histogram
                                        {
                                            AggregationTemporality = AggregationTemporality.Delta,
                                            DataPoints =
                                            {
                                                new HistogramDataPoint
                                                {
                                                    Count = 4,
                                                    Sum = 0.1,
                                                    ExplicitBounds = { 0.01, 0.1, 1 },
                                                    BucketCounts = { 0, 4, 0, 0 },
                                                    TimeUnixNano = Epoch + (ulong)batch * 5_000_000_000,
                                                    StartTimeUnixNano = Epoch,
                                                    Attributes = { Attribute("http.response.status_code", 200) },
                                                },
                                            },
                                        },
                                    },
                                    new Metric
                                    {
                                        Name = "encimap.gateway.rejections",
                                        Sum = new Sum
                                        {
                                            AggregationTemporality = AggregationTemporality.Delta,
                                            IsMonotonic = true,
                                            DataPoints = { Enumerable.Range(0, 40).Select(i => new NumberDataPoint { AsInt = 1, Attributes = { Attribute("client", $"c{i}") } }) },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            };
            store.Add(request);
        }

        var summary = Assert.Single(store.Summaries());
        var rejections = Assert.Single(summary.Counters);
        Assert.Equal(15 * 3, rejections.Total); // 16 series: the histogram's one, then 15 of the 40 counter series
        Assert.Equal(12UL, summary.Requests!.Total);
        Assert.Equal(8 / 10.0, summary.Requests.RatePerSecond!.Value, 6); // 8 more requests in the 10 s between first and last sample
        Assert.Equal(0, summary.Requests.ErrorRate);
        Assert.InRange(summary.Requests.P50Ms!.Value, 10, 100);
    }

    [Fact]
    public void Percentiles_interpolate_inside_buckets()
    {
        double[] bounds = [10, 20, 30];
        Assert.Equal(15, MetricStore.Percentile(bounds, [0, 10, 0, 0], 0.5));
        Assert.Equal(22.5, MetricStore.Percentile(bounds, [0, 5, 10, 0], 0.5)!.Value, 6); // rank 7.5: a quarter into (20, 30]
        Assert.Equal(30, MetricStore.Percentile(bounds, [0, 0, 0, 4], 0.95));
        Assert.Null(MetricStore.Percentile(bounds, [0, 0, 0, 0], 0.5));
    }

    private static IOptions<TelemetryStoreOptions> Options(Action<TelemetryStoreOptions> configure)
    {
        var options = new TelemetryStoreOptions();
        configure(options);
        return Microsoft.Extensions.Options.Options.Create(options);
    }
}

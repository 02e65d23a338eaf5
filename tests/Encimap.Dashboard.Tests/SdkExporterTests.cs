using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Encimap.Dashboard.Tests;

/// <summary>
/// The real OpenTelemetry .NET SDK exporter (what every service runs) posts to the receiver: its
/// own bytes must decode into the right spans, log records and metrics.
/// </summary>
public sealed class SdkExporterTests : IAsyncLifetime
{
    private readonly string _name = "Dashboard.Tests." + Guid.NewGuid().ToString("N")[..8];
    private ReceiverHost _host = null!;

    public async Task InitializeAsync() => _host = await ReceiverHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void Spans_keep_ids_parents_kind_attributes_events_and_status()
    {
        using var source = new ActivitySource(_name);
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("sdk-traces", serviceInstanceId: "7"))
            .AddSource(_name)
            .AddOtlpExporter(o => Point(o, "traces"))
            .Build())
        {
            string traceId, parentId, childId;
            using (var parent = source.StartActivity("POST /s2s/v1/vaultboxes", ActivityKind.Server)!)
            {
                parent.SetTag("http.route", "/s2s/v1/vaultboxes");
                parent.SetTag("http.response.status_code", 201);
                parent.SetTag("retried", true);
                parent.AddEvent(new ActivityEvent("checkpoint", tags: new ActivityTagsCollection { ["stage"] = "validated" }));
                using (var child = source.StartActivity("encimap.certificates.v1.Certificates/Issue", ActivityKind.Client)!)
                {
                    child.SetTag("rpc.system", "grpc");
                    child.SetStatus(ActivityStatusCode.Error, "deadline exceeded");
                    childId = child.SpanId.ToHexString();
                }

                traceId = parent.TraceId.ToHexString();
                parentId = parent.SpanId.ToHexString();
            }

            Assert.True(provider.ForceFlush(10_000));

            var trace = _host.Traces.Get(traceId);
            Assert.NotNull(trace);
            Assert.Equal(["sdk-traces"], trace.Trace.Services);
            Assert.Equal("POST /s2s/v1/vaultboxes", trace.Trace.RootName);
            Assert.True(trace.Trace.HasRoot);
            Assert.Equal(1, trace.Trace.ErrorCount);
            var (root, call) = (trace.Spans[0], trace.Spans[1]);
            Assert.Equal(parentId, root.SpanId);
            Assert.Equal("", root.ParentSpanId);
            Assert.Equal("Server", root.Kind);
            Assert.Equal(_name, root.Scope);
            Assert.Contains(new("http.response.status_code", "201"), root.Attributes);
            Assert.Contains(new("retried", "true"), root.Attributes);
            Assert.Contains(new("service.instance.id", "7"), root.Resource);
            var checkpoint = Assert.Single(root.Events);
            Assert.Equal("checkpoint", checkpoint.Name);
            Assert.Contains(new("stage", "validated"), checkpoint.Attributes);
            Assert.Equal(childId, call.SpanId);
            Assert.Equal(parentId, call.ParentSpanId);
            Assert.Equal(1, call.Depth);
            Assert.Equal("Client", call.Kind);
            Assert.Equal("Error", call.Status);
            Assert.Equal("deadline exceeded", call.StatusMessage);
            Assert.True(call.StartOffsetMs >= 0 && call.StartOffsetMs + call.DurationMs <= trace.Trace.DurationMs + 0.001);
            Assert.True(Math.Abs((root.StartTime - DateTimeOffset.UtcNow).TotalMinutes) < 1);
        }
    }

    [Fact]
    public void Log_records_keep_level_category_message_attributes_trace_and_exception()
    {
        using var source = new ActivitySource(_name);
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == _name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        string traceId;
        using (var factory = LoggerFactory.Create(logging => logging.AddOpenTelemetry(otel =>
               {
                   otel.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("sdk-logs"));
                   otel.IncludeFormattedMessage = true;
                   otel.AddOtlpExporter(o => Point(o, "logs"));
               })))
        {
            var logger = factory.CreateLogger("Encimap.Intake.Delivery");
            using (var activity = source.StartActivity("deliver")!)
            {
                traceId = activity.TraceId.ToHexString();
                logger.LogWarning("Delivered {Count} messages to {Address}", 3, "cat@call.example");
            }

            logger.LogError(new InvalidOperationException("kaput"), "Commit failed");
            logger.LogDebug("not exported: below the default minimum level");
        }

        var result = _host.Logs.Query(service: "sdk-logs");
        Assert.Equal(2, result.Total);
        var (error, warning) = (result.Records[0], result.Records[1]);
        Assert.Equal("Warning", warning.Level);
        Assert.InRange(warning.SeverityNumber, 13, 16);
        Assert.Equal("Encimap.Intake.Delivery", warning.Category);
        Assert.Equal("Delivered 3 messages to cat@call.example", warning.Message);
        Assert.Contains(new("Count", "3"), warning.Attributes);
        Assert.Contains(new("Address", "cat@call.example"), warning.Attributes);
        Assert.Equal(traceId, warning.TraceId);
        Assert.Equal(16, warning.SpanId.Length);
        Assert.Equal("Error", error.Level);
        Assert.Equal("Commit failed", error.Message);
        Assert.Contains(new("exception.message", "kaput"), error.Attributes);
        Assert.Contains(error.Attributes, a => a.Key == "exception.type" && a.Value.EndsWith("InvalidOperationException", StringComparison.Ordinal));
        Assert.Equal("", error.TraceId);
        Assert.Equal(1, _host.Logs.Query(traceId: traceId).Total);
        Assert.Equal(1, _host.Logs.Query(minimumLevel: "Error").Total);
    }

    [Fact]
    public void Request_histograms_and_counters_give_rate_error_rate_latency_and_totals()
    {
        using var meter = new Meter(_name);
        var duration = meter.CreateHistogram<double>("http.server.request.duration", "s", "Duration of HTTP server requests.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
        var deliveries = meter.CreateCounter<long>("encimap.intake.deliveries", "{delivery}", "Messages stored.");
        using var provider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("sdk-metrics", serviceInstanceId: "11"))
            .AddMeter(_name)
            .AddOtlpExporter((o, _) => Point(o, "metrics"))
            .Build();

        for (var i = 0; i < 18; i++)
        {
            duration.Record(0.02, new("http.route", "/s2s/v1/vaultboxes"), new("http.response.status_code", 201));
        }

        duration.Record(0.3, new("http.route", "/s2s/v1/vaultboxes"), new("http.response.status_code", 503));
        duration.Record(0.3, new("http.route", "/s2s/v1/usage"), new("http.response.status_code", 500));
        deliveries.Add(4, new KeyValuePair<string, object?>("outcome", "stored"));
        deliveries.Add(1, new KeyValuePair<string, object?>("outcome", "duplicate"));

        Assert.True(provider.ForceFlush(10_000));

        var summary = Assert.Single(_host.Metrics.Summaries("sdk-metrics"));
        Assert.Equal("11", summary.Instance);
        var requests = summary.Requests!;
        Assert.Equal(20UL, requests.Total);
        Assert.Equal(2UL, requests.Errors);
        Assert.Equal(0.1, requests.ErrorRate!.Value, 6);
        Assert.True(requests.RatePerSecond > 0);
        Assert.InRange(requests.P50Ms!.Value, 10, 25);
        Assert.InRange(requests.P95Ms!.Value, 250, 500);
        var counter = Assert.Single(summary.Counters);
        Assert.Equal("encimap.intake.deliveries", counter.Name);
        Assert.Equal(5, counter.Total);
        Assert.Contains(new("outcome=stored", 4), counter.Breakdown);
        Assert.Contains(summary.Instruments, i => i.Name == "http.server.request.duration" && i.Type == "Histogram" && i.Unit == "s");
    }

    private void Point(OtlpExporterOptions options, string signal)
    {
        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        options.Endpoint = _host.Signal(signal);
        options.ExportProcessorType = ExportProcessorType.Simple;
    }
}

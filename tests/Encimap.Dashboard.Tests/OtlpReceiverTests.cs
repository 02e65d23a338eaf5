using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Encimap.AppHost.Otlp.Proto.Collector.Logs.V1;
using Encimap.AppHost.Otlp.Proto.Collector.Trace.V1;
using Encimap.AppHost.Otlp.Proto.Common.V1;
using Encimap.AppHost.Otlp.Proto.Logs.V1;
using Encimap.AppHost.Otlp.Proto.Trace.V1;
using Google.Protobuf;
using SpanMessage = Encimap.AppHost.Otlp.Proto.Trace.V1.Span;
using static Encimap.Dashboard.Tests.OtlpSamples;

namespace Encimap.Dashboard.Tests;

/// <summary>The OTLP/HTTP receiver on a real socket, fed with requests built from the generated classes.</summary>
public sealed class OtlpReceiverTests : IAsyncLifetime
{
    private ReceiverHost _host = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _host = await ReceiverHost.StartAsync(new Dictionary<string, string?> { ["MaxRequestBodyBytes"] = "65536" });

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_trace_across_two_services_is_one_trace_with_parents_offsets_attributes_and_events()
    {
        var traceId = Id(16, 1);
        var server = Span(traceId, Id(8, 2), null, "POST /s2s/v1/vaultboxes", startMs: 0, durationMs: 120);
        server.Attributes.Add(Attribute("http.route", "/s2s/v1/vaultboxes"));
        server.Attributes.Add(Attribute("http.response.status_code", 201));
        var client = Span(traceId, Id(8, 3), server.SpanId, "encimap.certificates.v1.Certificates/Issue", startMs: 20, durationMs: 80, SpanMessage.Types.SpanKind.Client);
        client.Events.Add(new SpanMessage.Types.Event { Name = "retry", TimeUnixNano = Epoch + 30_000_000, Attributes = { Attribute("attempt", 2) } });
        var remote = Span(traceId, Id(8, 4), client.SpanId, "encimap.certificates.v1.Certificates/Issue", startMs: 25, durationMs: 70);
        remote.Status = new Status { Code = Status.Types.StatusCode.Error, Message = "key pool empty" };

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("traces", Traces("api", server, client))).StatusCode);
        var response = await PostAsync("traces", Traces("certificates", remote));
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());

        var list = await GetJsonAsync("/api/traces?service=certificates");
        var summary = Assert.Single(list.GetProperty("traces").EnumerateArray());
        Assert.Equal(Convert.ToHexStringLower(traceId.Span), summary.GetProperty("traceId").GetString());
        Assert.Equal("POST /s2s/v1/vaultboxes", summary.GetProperty("rootName").GetString());
        Assert.Equal(["api", "certificates"], summary.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(3, summary.GetProperty("spanCount").GetInt32());
        Assert.Equal(1, summary.GetProperty("errorCount").GetInt32());
        Assert.Equal(120, summary.GetProperty("durationMs").GetDouble(), 3);

        var trace = await GetJsonAsync("/api/traces/" + Convert.ToHexString(traceId.Span)); // upper-case ids work too
        var spans = trace.GetProperty("spans").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], spans.Select(s => s.GetProperty("depth").GetInt32()));
        Assert.Equal(spans[0].GetProperty("spanId").GetString(), spans[1].GetProperty("parentSpanId").GetString());
        Assert.Equal(20, spans[1].GetProperty("startOffsetMs").GetDouble(), 3);
        Assert.Equal(80, spans[1].GetProperty("durationMs").GetDouble(), 3);
        Assert.Equal("Client", spans[1].GetProperty("kind").GetString());
        var retry = Assert.Single(spans[1].GetProperty("events").EnumerateArray());
        Assert.Equal("retry", retry.GetProperty("name").GetString());
        Assert.Equal(30, retry.GetProperty("offsetMs").GetDouble(), 3);
        Assert.Equal("2", retry.GetProperty("attributes")[0].GetProperty("value").GetString());
        Assert.Contains(spans[0].GetProperty("attributes").EnumerateArray(), a => a.GetProperty("key").GetString() == "http.response.status_code" && a.GetProperty("value").GetString() == "201");
        Assert.Equal("certificates", spans[2].GetProperty("service").GetString());
        Assert.Equal("Error", spans[2].GetProperty("status").GetString());
        Assert.Equal("key pool empty", spans[2].GetProperty("statusMessage").GetString());

        Assert.Empty((await GetJsonAsync("/api/traces?search=no-such-thing")).GetProperty("traces").EnumerateArray());
        Assert.Single((await GetJsonAsync("/api/traces?search=vaultboxes")).GetProperty("traces").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(new Uri(_host.Address, "/api/traces/" + new string('0', 32)))).StatusCode);
    }

    [Fact]
    public async Task Health_probe_traces_can_be_hidden()
    {
        await PostAsync("traces", Traces("intake", Span(Id(16, 10), Id(8, 11), null, "GET /health", 0, 1), Span(Id(16, 12), Id(8, 13), null, "POST /intake/{id}", 5, 3)));

        var all = await GetJsonAsync("/api/traces?service=intake");
        var hidden = await GetJsonAsync("/api/traces?service=intake&hideHealth=true");

        Assert.Equal(2, all.GetProperty("traces").GetArrayLength());
        Assert.Equal("POST /intake/{id}", Assert.Single(hidden.GetProperty("traces").EnumerateArray()).GetProperty("rootName").GetString());
    }

    [Fact]
    public async Task A_gzip_body_decodes_like_a_plain_one()
    {
        var request = Logs("smtp",
            Log("accepted message", SeverityNumber.Info, atMs: 1, traceId: Id(16, 20)),
            Log("relay refused", SeverityNumber.Warn, atMs: 2),
            Log("queue broken", SeverityNumber.Error, atMs: 3));
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            request.WriteTo(gzip);
        }

        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");
        var response = await _http.PostAsync(_host.Signal("logs"), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        ExportLogsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        var logs = await GetJsonAsync("/api/logs?service=smtp");
        Assert.Equal(["queue broken", "relay refused", "accepted message"], logs.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("message").GetString()));
        Assert.Equal("Encimap.Tests.Category", logs.GetProperty("records")[0].GetProperty("category").GetString());
        Assert.Equal(2, (await GetJsonAsync("/api/logs?service=smtp&level=Warning")).GetProperty("total").GetInt32());
        var byTrace = await GetJsonAsync("/api/logs?traceId=" + Convert.ToHexStringLower(Id(16, 20).Span));
        Assert.Equal("Information", Assert.Single(byTrace.GetProperty("records").EnumerateArray()).GetProperty("level").GetString());
        Assert.Equal(1, (await GetJsonAsync("/api/logs?search=RELAY")).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync(new Uri(_host.Address, "/api/logs?level=Loud"))).StatusCode);
    }

    [Fact]
    public async Task Wrong_media_type_garbage_and_oversized_bodies_are_refused_and_change_nothing()
    {
        var json = new StringContent("{\"resourceSpans\":[]}", System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await _http.PostAsync(_host.Signal("traces"), json)).StatusCode);

        var garbage = new ByteArrayContent([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
        garbage.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.PostAsync(_host.Signal("traces"), garbage)).StatusCode);

        var notGzip = new ByteArrayContent([1, 2, 3, 4]);
        notGzip.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        notGzip.Headers.ContentEncoding.Add("gzip");
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.PostAsync(_host.Signal("logs"), notGzip)).StatusCode);

        // 64 KiB limit: a large plain body, and a small gzip body that inflates beyond it.
        var big = Traces("api", Span(Id(16, 30), Id(8, 31), null, new string('x', 70_000), 0, 1));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PostAsync("traces", big)).StatusCode);
        using var bomb = new MemoryStream();
        await using (var gzip = new GZipStream(bomb, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            big.WriteTo(gzip);
        }

        var inflating = new ByteArrayContent(bomb.ToArray());
        inflating.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        inflating.Headers.ContentEncoding.Add("gzip");
        Assert.True(bomb.Length < 65536);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await _http.PostAsync(_host.Signal("traces"), inflating)).StatusCode);

        Assert.Equal(0, _host.Traces.SpanCount);
        Assert.Equal(0, _host.Logs.Count);
    }

    [Fact]
    public async Task Unknown_fields_of_newer_exporters_are_skipped()
    {
        var span = Span(Id(16, 40), Id(8, 41), null, "GET /s2s/v1/usage", 0, 2);
        var bytes = Traces("api", span).ToByteArray();
        // Append an unknown field (number 99, varint) at the top level: newer protos add fields.
        var withUnknown = bytes.Concat(new byte[] { 0x98, 0x06, 0x01 }).ToArray();
        var content = new ByteArrayContent(withUnknown);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");

        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync(_host.Signal("traces"), content)).StatusCode);
        Assert.Equal(1, _host.Traces.SpanCount);
    }

    private async Task<HttpResponseMessage> PostAsync(string signal, IMessage message)
    {
        var content = new ByteArrayContent(message.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return await _http.PostAsync(_host.Signal(signal), content);
    }

    private async Task<JsonElement> GetJsonAsync(string path) =>
        JsonDocument.Parse(await _http.GetStringAsync(new Uri(_host.Address, path))).RootElement.Clone();
}

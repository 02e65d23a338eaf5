using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Encimap.ServiceDefaults.Tests;

/// <summary>With OTEL_EXPORTER_OTLP_ENDPOINT set (here with the protocol the AppHost sets), traces, metrics and logs leave over OTLP.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Traces_metrics_and_logs_are_exported_over_http_protobuf()
    {
        var received = new ConcurrentQueue<(string Path, string? ContentType, long Length)>();
        await using var collector = await LoopbackApp.StartAsync(
            a => a.MapPost("/v1/{signal}", async (HttpRequest request) =>
            {
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer);
                received.Enqueue((request.Path, request.ContentType, buffer.Length));
                return Results.Ok();
            }),
            withDefaults: false);

        var service = await LoopbackApp.StartAsync(
            a => a.MapGet("/work", (ILogger<OtlpExportTests> log) =>
            {
                log.LogInformation("Did {Work}", "the work");
                return "done";
            }),
            settings: new()
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.AbsoluteUri,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_SERVICE_NAME"] = "probe",
            });
        using (var http = service.Client())
        {
            Assert.Equal("done", await http.GetStringAsync("/work"));
        }

        await service.DisposeAsync(); // disposing the providers flushes them

        var paths = received.Where(r => r.Length > 0).Select(r => r.Path).ToHashSet();
        Assert.Contains("/v1/traces", paths);
        Assert.Contains("/v1/metrics", paths);
        Assert.Contains("/v1/logs", paths);
        Assert.All(received, r => Assert.Equal("application/x-protobuf", r.ContentType));
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Encimap.Grpc.Tests.Infrastructure;
using Encimap.Grpc.Tests.Interop;

namespace Encimap.Grpc.Tests;

/// <summary>W3C trace context flows from the caller's Activity to the server handler's.</summary>
public sealed class TraceContextTests : IClassFixture<EchoServerFixture>
{
    private readonly EchoServerFixture _fixture;

    public TraceContextTests(EchoServerFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task Server_handler_sees_the_callers_trace_with_the_client_span_as_parent()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is GrpcTelemetry.ActivitySourceName or "System.Net.Http" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        var reply = await _fixture.Server.CreateInvoker().UnaryAsync(EchoMethods.Say, new SayRequest { Text = "trace me" });
        caller.Stop();

        var mine = stopped.Where(a => a.TraceId == caller.TraceId).ToList();
        var client = Assert.Single(mine, a => a.Source.Name == GrpcTelemetry.ActivitySourceName);
        var http = Assert.Single(mine, a => a.Source.Name == "System.Net.Http");
        var server = await WaitForServerActivityAsync(stopped, caller.TraceId);

        // caller -> gRPC client span -> HTTP client span (System.Net.Http) -> server request.
        Assert.Equal(caller.TraceId.ToHexString(), reply.TraceId);
        Assert.Equal(caller.SpanId, client.ParentSpanId);
        Assert.Equal(client.SpanId, http.ParentSpanId);
        Assert.Equal(http.SpanId.ToHexString(), reply.ParentSpanId);

        Assert.Equal("encimap.interop.v1.Echo/Say", client.DisplayName);
        Assert.Equal(ActivityKind.Client, client.Kind);
        Assert.Equal("grpc", client.GetTagItem("rpc.system"));
        Assert.Equal("encimap.interop.v1.Echo", client.GetTagItem("rpc.service"));
        Assert.Equal("Say", client.GetTagItem("rpc.method"));
        Assert.Equal(0, client.GetTagItem("rpc.grpc.status_code"));

        Assert.Equal("encimap.interop.v1.Echo/Say", server.DisplayName);
        Assert.Equal("grpc", server.GetTagItem("rpc.system"));
        Assert.Equal("Say", server.GetTagItem("rpc.method"));
        Assert.Equal(0, server.GetTagItem("rpc.grpc.status_code"));
    }

    [Fact]
    public async Task Failed_call_records_its_status_on_the_client_span()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GrpcTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        await Assert.ThrowsAsync<GrpcStatusException>(() => _fixture.Server.CreateInvoker().UnaryAsync(EchoMethods.Fail,
            new FailRequest { Code = (int)StatusCode.NotFound, Message = "nope" }));
        caller.Stop();

        var client = Assert.Single(stopped, a => a.TraceId == caller.TraceId);
        Assert.Equal(5, client.GetTagItem("rpc.grpc.status_code"));
        Assert.Equal(ActivityStatusCode.Error, client.Status);
    }

    /// <summary>The server's request activity stops just after the response is sent.</summary>
    private static async Task<Activity> WaitForServerActivityAsync(ConcurrentQueue<Activity> stopped, ActivityTraceId traceId)
    {
        for (var i = 0; i < 100; i++)
        {
            var server = stopped.FirstOrDefault(a => a.TraceId == traceId && a.Source.Name == "Microsoft.AspNetCore");
            if (server is not null)
            {
                return server;
            }

            await Task.Delay(20);
        }

        throw new Xunit.Sdk.XunitException("The server's request activity never stopped.");
    }
}

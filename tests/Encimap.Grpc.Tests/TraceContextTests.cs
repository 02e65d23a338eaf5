using System.Collections.Concurrent;
using System.Diagnostics;
using Encimap.Grpc.Tests.Infrastructure;
using Encimap.Grpc.Tests.Interop;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.Grpc.Tests;

/// <summary>W3C trace context crosses a gRPC call: the server handler continues the caller's trace.</summary>
public sealed class TraceContextTests(ServiceGrpcHostFixture fixture) : IClassFixture<ServiceGrpcHostFixture>
{
    [Fact]
    public async Task Server_handler_continues_the_callers_trace_under_the_client_span()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var clients = fixture.Host.Clients();
        var client = clients.GetRequiredService<Echo.EchoClient>();

        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        var reply = await client.SayAsync(new SayRequest { Text = "trace me" });
        caller.Stop();

        // caller -> the client's spans -> the HTTP request (System.Net.Http), whose traceparent the
        // server's request span continues.
        var http = Assert.Single(stopped, a => a.TraceId == caller.TraceId && a.Source.Name == "System.Net.Http");
        var server = await WaitForServerActivityAsync(stopped, caller.TraceId);
        Assert.Equal(caller.TraceId.ToHexString(), reply.TraceId);
        Assert.Equal(http.SpanId.ToHexString(), reply.ParentSpanId);
        Assert.Equal(http.SpanId, server.ParentSpanId);
        Assert.True(DescendsFrom(http, caller, stopped), "the HTTP span does not descend from the caller's");
        Assert.Equal("/encimap.interop.v1.Echo/Say", server.GetTagItem("grpc.method"));
        Assert.Equal("0", server.GetTagItem("grpc.status_code"));
    }

    private static bool DescendsFrom(Activity activity, Activity ancestor, IEnumerable<Activity> recorded)
    {
        for (var current = activity; current is not null; current = recorded.FirstOrDefault(a => a.SpanId == current.ParentSpanId))
        {
            if (current.ParentSpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
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

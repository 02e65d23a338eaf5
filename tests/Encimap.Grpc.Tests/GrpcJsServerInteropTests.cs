using System.Diagnostics;
using Encimap.Grpc.Tests.Infrastructure;
using Encimap.Grpc.Tests.Interop;
using Google.Protobuf;

namespace Encimap.Grpc.Tests;

/// <summary>Our client against the @grpc/grpc-js server (interop/server.js).</summary>
public sealed class GrpcJsServerInteropTests : IClassFixture<GrpcJsServerFixture>
{
    private readonly GrpcJsServerFixture _fixture;

    public GrpcJsServerInteropTests(GrpcJsServerFixture fixture) => _fixture = fixture;

    private GrpcInvoker Invoker() =>
        new(new HttpClient { BaseAddress = _fixture.Address }, new GrpcClientOptions { MaxRetryAttempts = 0 });

    [Fact]
    public async Task Unary_success()
    {
        var payload = ByteString.CopyFrom(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());

        var reply = await Invoker().UnaryAsync(EchoMethods.Say, new SayRequest { Text = "Grüße, 世界 ✓", Payload = payload },
            new GrpcCallOptions { Headers = [new("x-echo", "from encimap")] });

        Assert.Equal("Grüße, 世界 ✓", reply.Text);
        Assert.Equal(payload, reply.Payload);
        Assert.Equal("from encimap", reply.MetadataValue);
    }

    [Fact]
    public async Task Error_status_message_and_trailers()
    {
        const string message = "Adresse «bob@例え.jp» unbekannt: 100% sicher";

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() =>
            Invoker().UnaryAsync(EchoMethods.Fail, new FailRequest { Code = (int)StatusCode.NotFound, Message = message }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal(message, error.Detail);
        Assert.Equal("from grpc-js", error.Trailers["x-trailer"]);
    }

    [Fact]
    public async Task Deadline_exceeded()
    {
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() =>
            Invoker().UnaryAsync(EchoMethods.Sleep, new SleepRequest { Milliseconds = 5_000 }, GrpcCallOptions.WithTimeout(TimeSpan.FromMilliseconds(300))));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.InRange(watch.ElapsedMilliseconds, 250, 4_000);
    }

    [Fact]
    public async Task Server_streaming()
    {
        var received = new List<CountReply>();
        await foreach (var reply in Invoker().ServerStreamingAsync(EchoMethods.Count, new CountRequest { Count = 5 }))
        {
            received.Add(reply);
        }

        Assert.Equal(Enumerable.Range(0, 5), received.Select(r => r.Index));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"message {i}"), received.Select(r => r.Text));
    }

    [Fact]
    public async Task Server_streaming_then_error()
    {
        var received = new List<int>();
        var error = await Assert.ThrowsAsync<GrpcStatusException>(async () =>
        {
            await foreach (var reply in Invoker().ServerStreamingAsync(EchoMethods.Count,
                new CountRequest { Count = 3, FailCode = (int)StatusCode.FailedPrecondition, FailMessage = "stopped after three" }))
            {
                received.Add(reply.Index);
            }
        });

        Assert.Equal([0, 1, 2], received);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("stopped after three", error.Detail);
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented()
    {
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => Invoker().UnaryAsync(EchoMethods.Missing, new SayRequest()));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }
}

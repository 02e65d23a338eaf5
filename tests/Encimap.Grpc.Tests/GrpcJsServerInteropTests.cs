using System.Diagnostics;
using Encimap.Grpc.Tests.Infrastructure;
using Encimap.Grpc.Tests.Interop;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.Grpc.Tests;

/// <summary>A client registered as the services register theirs, against the @grpc/grpc-js server (interop/server.js).</summary>
public sealed class GrpcJsServerInteropTests(GrpcJsServerFixture fixture) : IClassFixture<GrpcJsServerFixture>, IDisposable
{
    private readonly ServiceProvider _clients = ServiceGrpcHost.Clients(fixture.Address, "a signing key of at least thirty-two bytes");

    private Echo.EchoClient Client => _clients.GetRequiredService<Echo.EchoClient>();

    public void Dispose() => _clients.Dispose();

    [Fact]
    public async Task Unary_success()
    {
        var payload = ByteString.CopyFrom(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());

        var reply = await Client.SayAsync(new SayRequest { Text = "Grüße, 世界 ✓", Payload = payload }, new Metadata { { "x-echo", "from encimap" } });

        Assert.Equal("Grüße, 世界 ✓", reply.Text);
        Assert.Equal(payload, reply.Payload);
        Assert.Equal("from encimap", reply.MetadataValue);
    }

    [Fact]
    public async Task Error_status_message_and_trailers()
    {
        const string message = "Adresse «bob@例え.jp» unbekannt: 100% sicher";

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Client.FailAsync(new FailRequest { Code = (int)StatusCode.NotFound, Message = message }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
        Assert.Equal("from grpc-js", error.Trailers.GetValue("x-trailer"));
    }

    [Fact]
    public async Task Deadline_exceeded()
    {
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Client.SleepAsync(new SleepRequest { Milliseconds = 5_000 }, deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.InRange(watch.ElapsedMilliseconds, 250, 4_000);
    }

    [Fact]
    public async Task Server_streaming()
    {
        using var call = Client.Count(new CountRequest { Count = 5 });
        var received = new List<CountReply>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            received.Add(reply);
        }

        Assert.Equal(Enumerable.Range(0, 5), received.Select(r => r.Index));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"message {i}"), received.Select(r => r.Text));
    }

    [Fact]
    public async Task Server_streaming_then_error()
    {
        using var call = Client.Count(new CountRequest { Count = 3, FailCode = (int)StatusCode.FailedPrecondition, FailMessage = "stopped after three" });
        var received = new List<int>();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var reply in call.ResponseStream.ReadAllAsync())
            {
                received.Add(reply.Index);
            }
        });

        Assert.Equal([0, 1, 2], received);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("stopped after three", error.Status.Detail);
    }
}

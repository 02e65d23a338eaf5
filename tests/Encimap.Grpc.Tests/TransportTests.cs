using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Encimap.Grpc.Tests.Infrastructure;
using Encimap.Grpc.Tests.Interop;

namespace Encimap.Grpc.Tests;

/// <summary>Our client against our server, over real sockets.</summary>
public sealed class TransportTests : IClassFixture<EchoServerFixture>
{
    private readonly EchoServerFixture _fixture;

    public TransportTests(EchoServerFixture fixture) => _fixture = fixture;

    private GrpcInvoker Invoker(GrpcClientOptions? options = null) => _fixture.Server.CreateInvoker(options);

    [Fact]
    public async Task Unary_call_returns_the_reply_and_carries_metadata()
    {
        var request = EchoService.Bytes(1000, "Grüße, 世界");
        var reply = await Invoker().UnaryAsync(EchoMethods.Say, request, new GrpcCallOptions
        {
            Headers = [new("x-echo", "metadata value")],
        });

        Assert.Equal("Grüße, 世界", reply.Text);
        Assert.Equal(request.Payload, reply.Payload);
        Assert.Equal("metadata value", reply.MetadataValue);
        Assert.StartsWith("ipv4:127.0.0.1:", reply.Peer);
    }

    [Fact]
    public async Task Error_status_carries_a_percent_encoded_non_ascii_message_and_trailers()
    {
        const string message = "Adresse «bob@例え.jp» unbekannt: 100% sicher\tTab";

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() =>
            Invoker().UnaryAsync(EchoMethods.Fail, new FailRequest { Code = (int)StatusCode.NotFound, Message = message }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal(message, error.Detail);
        Assert.Equal("from encimap", error.Trailers["x-trailer"]);
    }

    [Fact]
    public async Task Error_before_any_message_is_a_trailers_only_response()
    {
        using var http = _fixture.Server.CreateHttpClient();
        using var response = await RawGrpc.PostAsync(http, EchoMethods.Fail.Path,
            RawGrpc.Frame(new FailRequest { Code = (int)StatusCode.PermissionDenied, Message = "no, ü" }));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(2, 0), response.Version);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(body);
        Assert.Equal("7", RawGrpc.Header(response, "grpc-status"));
        Assert.Equal("no, %C3%BC", RawGrpc.Header(response, "grpc-message"));
        Assert.Empty(response.TrailingHeaders);
    }

    [Fact]
    public async Task Successful_unary_response_has_one_frame_and_status_in_trailers()
    {
        using var http = _fixture.Server.CreateHttpClient();
        using var response = await RawGrpc.PostAsync(http, EchoMethods.Say.Path, RawGrpc.Frame(new SayRequest { Text = "hi" }));
        var body = await response.Content.ReadAsByteArrayAsync();

        var reply = SayReply.Parser.ParseFrom(body.AsSpan(5));
        Assert.Equal(0, body[0]);
        Assert.Equal(body.Length - 5, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(1)));
        Assert.Equal("hi", reply.Text);
        Assert.Null(RawGrpc.Header(response, "grpc-status"));
        Assert.Equal("0", RawGrpc.Trailer(response, "grpc-status"));
    }

    [Fact]
    public async Task Deadline_ends_the_call_with_deadline_exceeded()
    {
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() =>
            Invoker().UnaryAsync(EchoMethods.Sleep, new SleepRequest { Milliseconds = 10_000 }, GrpcCallOptions.WithTimeout(TimeSpan.FromMilliseconds(300))));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.InRange(watch.ElapsedMilliseconds, 250, 5_000);
    }

    [Fact]
    public async Task Cancellation_ends_the_call_with_cancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() =>
            Invoker().UnaryAsync(EchoMethods.Sleep, new SleepRequest { Milliseconds = 10_000 }, new GrpcCallOptions { CancellationToken = cancel.Token }));

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented()
    {
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() =>
            Invoker().UnaryAsync(EchoMethods.Missing, new SayRequest { Text = "x" }));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Contains("/encimap.interop.v1.Echo/NoSuchMethod", error.Detail);
    }

    [Fact]
    public async Task Handler_exception_is_internal_without_its_text()
    {
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() =>
            Invoker().UnaryAsync(EchoMethods.Say, new SayRequest { Text = EchoService.ThrowText }));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("Exception was thrown by handler.", error.Detail);
        Assert.DoesNotContain(EchoService.SecretInException, error.ToString());
    }

    [Fact]
    public async Task Server_streaming_delivers_every_message_in_order()
    {
        var received = new List<CountReply>();
        await foreach (var reply in Invoker().ServerStreamingAsync(EchoMethods.Count, new CountRequest { Count = 100 }))
        {
            received.Add(reply);
        }

        Assert.Equal(Enumerable.Range(0, 100), received.Select(r => r.Index));
        Assert.Equal("message 99", received[^1].Text);
    }

    [Fact]
    public async Task Server_streaming_error_after_messages_comes_in_trailers()
    {
        var received = new List<int>();
        var error = await Assert.ThrowsAsync<GrpcStatusException>(async () =>
        {
            await foreach (var reply in Invoker().ServerStreamingAsync(EchoMethods.Count,
                new CountRequest { Count = 3, FailCode = (int)StatusCode.Aborted, FailMessage = "stopped après trois" }))
            {
                received.Add(reply.Index);
            }
        });

        Assert.Equal([0, 1, 2], received);
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal("stopped après trois", error.Detail);
    }

    [Fact]
    public async Task Twenty_MiB_message_round_trips()
    {
        var request = EchoService.Bytes(20 * 1024 * 1024, "big");

        var reply = await Invoker().UnaryAsync(EchoMethods.Say, request, GrpcCallOptions.WithTimeout(TimeSpan.FromSeconds(60)));

        Assert.Equal(request.Payload.Length, reply.Payload.Length);
        Assert.True(request.Payload.Span.SequenceEqual(reply.Payload.Span));
    }

    [Fact]
    public async Task Server_refuses_a_request_over_its_receive_limit()
    {
        await using var server = await KestrelGrpcServer.StartAsync(new EchoService().Map, o => o.MaxReceiveMessageSize = 1024 * 1024);

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() =>
            server.CreateInvoker().UnaryAsync(EchoMethods.Say, EchoService.Bytes(2 * 1024 * 1024)));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("larger than max", error.Detail);
    }

    [Fact]
    public async Task Server_refuses_to_send_a_reply_over_its_send_limit()
    {
        await using var server = await KestrelGrpcServer.StartAsync(new EchoService().Map, o => o.MaxSendMessageSize = 1000);

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() =>
            server.CreateInvoker().UnaryAsync(EchoMethods.Say, EchoService.Bytes(2000)));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Client_refuses_a_reply_over_its_receive_limit()
    {
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() =>
            Invoker(new GrpcClientOptions { MaxReceiveMessageSize = 1000 }).UnaryAsync(EchoMethods.Say, EchoService.Bytes(2000)));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Client_refuses_to_send_a_request_over_its_send_limit()
    {
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() =>
            Invoker(new GrpcClientOptions { MaxSendMessageSize = 1000 }).UnaryAsync(EchoMethods.Say, EchoService.Bytes(2000)));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.StartsWith("Sent message larger than max", error.Detail);
    }

    [Fact]
    public async Task Server_down_is_unavailable()
    {
        var port = FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var invoker = new GrpcInvoker(http, new GrpcClientOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(10) });

        var unary = await Assert.ThrowsAsync<GrpcStatusException>(() => invoker.UnaryAsync(EchoMethods.Say, new SayRequest()));
        var streaming = await Assert.ThrowsAsync<GrpcStatusException>(async () =>
        {
            await foreach (var _ in invoker.ServerStreamingAsync(EchoMethods.Count, new CountRequest { Count = 1 }))
            {
            }
        });

        Assert.Equal(StatusCode.Unavailable, unary.StatusCode);
        Assert.Equal(StatusCode.Unavailable, streaming.StatusCode);
    }

    [Fact]
    public async Task Idempotent_calls_are_retried_on_unavailable_and_others_are_not()
    {
        var options = new GrpcClientOptions { MaxRetryAttempts = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(5), UseCircuitBreaker = false };
        var idempotentKey = $"retry-{Guid.NewGuid()}";
        var plainKey = $"no-retry-{Guid.NewGuid()}";
        var notFoundKey = $"not-found-{Guid.NewGuid()}";

        await Assert.ThrowsAsync<GrpcStatusException>(() => Invoker(options).UnaryAsync(EchoMethods.FailIdempotent,
            new FailRequest { Code = (int)StatusCode.Unavailable, Message = idempotentKey }));
        await Assert.ThrowsAsync<GrpcStatusException>(() => Invoker(options).UnaryAsync(EchoMethods.Fail,
            new FailRequest { Code = (int)StatusCode.Unavailable, Message = plainKey }));
        await Assert.ThrowsAsync<GrpcStatusException>(() => Invoker(options).UnaryAsync(EchoMethods.FailIdempotent,
            new FailRequest { Code = (int)StatusCode.NotFound, Message = notFoundKey }));

        Assert.Equal(4, _fixture.Service.FailCallsFor(idempotentKey));
        Assert.Equal(1, _fixture.Service.FailCallsFor(plainKey));
        Assert.Equal(1, _fixture.Service.FailCallsFor(notFoundKey));
    }

    [Fact]
    public async Task Circuit_opens_after_repeated_unavailability()
    {
        var options = new GrpcClientOptions { MaxRetryAttempts = 0, CircuitBreakDuration = TimeSpan.FromSeconds(30) };
        var invoker = Invoker(options);
        var key = $"circuit-{Guid.NewGuid()}";
        for (var i = 0; i < 10; i++)
        {
            await Assert.ThrowsAsync<GrpcStatusException>(() => invoker.UnaryAsync(EchoMethods.Fail,
                new FailRequest { Code = (int)StatusCode.Unavailable, Message = key }));
        }

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => invoker.UnaryAsync(EchoMethods.Fail,
            new FailRequest { Code = (int)StatusCode.Unavailable, Message = key }));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("circuit open", error.Detail);
        Assert.Equal(10, _fixture.Service.FailCallsFor(key));
    }

    [Fact]
    public async Task Concurrent_calls_share_one_client()
    {
        var invoker = Invoker();
        var replies = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            invoker.UnaryAsync(EchoMethods.Say, new SayRequest { Text = $"call {i}" })));

        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"call {i}"), replies.Select(r => r.Text));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Encimap.Grpc.Tests.Interop;
using Google.Protobuf;
using Microsoft.AspNetCore.Routing;

namespace Encimap.Grpc.Tests.Infrastructure;

/// <summary>Our implementation of the Echo service, mapped on the test servers.</summary>
public sealed class EchoService
{
    /// <summary>Text that makes Say throw an ordinary exception carrying a secret.</summary>
    public const string ThrowText = "throw";
    public const string SecretInException = "secret-connection-string";

    private readonly ConcurrentDictionary<string, int> _failCalls = new();

    /// <summary>How many times Fail was called with this message (retry tests use a unique one).</summary>
    public int FailCallsFor(string message) => _failCalls.GetValueOrDefault(message);

    public void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcUnary(EchoMethods.Say, SayAsync);
        endpoints.MapGrpcServerStreaming(EchoMethods.Count, CountAsync);
        endpoints.MapGrpcUnary(EchoMethods.Fail, FailAsync);
        endpoints.MapGrpcUnary(EchoMethods.Sleep, SleepAsync);
        endpoints.MapGrpcFallback();
    }

    private static Task<SayReply> SayAsync(SayRequest request, ServerCallContext context)
    {
        if (request.Text == ThrowText)
        {
            throw new InvalidOperationException(SecretInException);
        }

        var activity = Activity.Current;
        return Task.FromResult(new SayReply
        {
            Text = request.Text,
            Payload = request.Payload,
            MetadataValue = context.RequestHeaders["x-echo"].ToString(),
            TraceId = activity?.TraceId.ToHexString() ?? string.Empty,
            ParentSpanId = activity?.ParentSpanId.ToHexString() ?? string.Empty,
            Peer = context.Peer,
        });
    }

    private static async Task CountAsync(CountRequest request, IServerStreamWriter<CountReply> writer, ServerCallContext context)
    {
        for (var i = 0; i < request.Count; i++)
        {
            await writer.WriteAsync(new CountReply { Index = i, Text = $"message {i}" }, context.CancellationToken);
        }

        if (request.FailCode != 0)
        {
            throw new GrpcStatusException((StatusCode)request.FailCode, request.FailMessage);
        }
    }

    private Task<SayReply> FailAsync(FailRequest request, ServerCallContext context)
    {
        _failCalls.AddOrUpdate(request.Message, 1, (_, n) => n + 1);
        context.ResponseTrailers["x-trailer"] = "from encimap";
        throw new GrpcStatusException((StatusCode)request.Code, request.Message);
    }

    private static async Task<SayReply> SleepAsync(SleepRequest request, ServerCallContext context)
    {
        await Task.Delay(request.Milliseconds, context.CancellationToken);
        return new SayReply { Text = "slept" };
    }

    public static SayRequest Bytes(int length, string text = "")
    {
        var payload = new byte[length];
        new Random(length).NextBytes(payload);
        return new SayRequest { Text = text, Payload = ByteString.CopyFrom(payload) };
    }
}

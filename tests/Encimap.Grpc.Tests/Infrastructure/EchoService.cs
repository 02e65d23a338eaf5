using System.Diagnostics;
using Encimap.Grpc.Tests.Interop;
using Grpc.Core;

namespace Encimap.Grpc.Tests.Infrastructure;

/// <summary>The Echo service (interop/interop.proto) on grpc-dotnet, served by <see cref="ServiceGrpcHost"/>.</summary>
public sealed class EchoService(EchoCalls calls) : Echo.EchoBase
{
    /// <summary>Text that makes Say throw an ordinary exception carrying a secret.</summary>
    public const string ThrowText = "throw";
    public const string SecretInException = "secret-connection-string";

    public override Task<SayReply> Say(SayRequest request, ServerCallContext context)
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
            MetadataValue = context.RequestHeaders.GetValue("x-echo") ?? "",
            TraceId = activity?.TraceId.ToHexString() ?? "",
            ParentSpanId = activity?.ParentSpanId.ToHexString() ?? "",
            Peer = context.Peer,
        });
    }

    public override Task<MeasureReply> Measure(SayRequest request, ServerCallContext context) =>
        Task.FromResult(new MeasureReply { PayloadLength = request.Payload.Length });

    public override async Task Count(CountRequest request, IServerStreamWriter<CountReply> responseStream, ServerCallContext context)
    {
        for (var i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(new CountReply { Index = i, Text = $"message {i}" }, context.CancellationToken);
        }

        if (request.FailCode != 0)
        {
            throw new RpcException(new Status((StatusCode)request.FailCode, request.FailMessage));
        }
    }

    public override Task<SayReply> Fail(FailRequest request, ServerCallContext context) => FailWith(request);

    public override Task<SayReply> FailSafely(FailRequest request, ServerCallContext context) => FailWith(request);

    public override async Task<SayReply> Sleep(SleepRequest request, ServerCallContext context)
    {
        await Task.Delay(request.Milliseconds, context.CancellationToken);
        return new SayReply { Text = "slept" };
    }

    private Task<SayReply> FailWith(FailRequest request)
    {
        calls.RecordFailure(request.Message);
        throw new RpcException(new Status((StatusCode)request.Code, request.Message), new Metadata { { "x-trailer", "from encimap" } });
    }
}

using Encimap.Grpc.Tests.Interop;

namespace Encimap.Grpc.Tests.Infrastructure;

/// <summary>Descriptors of the test-only Echo service (interop/interop.proto).</summary>
public static class EchoMethods
{
    public const string ServiceName = "encimap.interop.v1.Echo";

    public static readonly GrpcMethod<SayRequest, SayReply> Say =
        new(ServiceName, "Say", GrpcMethodType.Unary, SayRequest.Parser, SayReply.Parser, idempotent: true);

    public static readonly GrpcMethod<CountRequest, CountReply> Count =
        new(ServiceName, "Count", GrpcMethodType.ServerStreaming, CountRequest.Parser, CountReply.Parser, idempotent: true);

    public static readonly GrpcMethod<FailRequest, SayReply> Fail =
        new(ServiceName, "Fail", GrpcMethodType.Unary, FailRequest.Parser, SayReply.Parser);

    /// <summary>The same RPC, declared safe to repeat: only this one is retried.</summary>
    public static readonly GrpcMethod<FailRequest, SayReply> FailIdempotent =
        new(ServiceName, "Fail", GrpcMethodType.Unary, FailRequest.Parser, SayReply.Parser, idempotent: true);

    public static readonly GrpcMethod<SleepRequest, SayReply> Sleep =
        new(ServiceName, "Sleep", GrpcMethodType.Unary, SleepRequest.Parser, SayReply.Parser);

    /// <summary>A method the servers do not have.</summary>
    public static readonly GrpcMethod<SayRequest, SayReply> Missing =
        new(ServiceName, "NoSuchMethod", GrpcMethodType.Unary, SayRequest.Parser, SayReply.Parser);
}

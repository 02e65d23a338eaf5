namespace Encimap.Grpc;

/// <summary>The call shapes the transport supports: one reply, or a stream of replies.</summary>
public enum GrpcMethodType
{
    Unary,
    ServerStreaming,
}

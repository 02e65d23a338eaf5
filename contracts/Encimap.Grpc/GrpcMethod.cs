// Encimap's gRPC transport.
//
// Why it exists: grpc-dotnet (Grpc.AspNetCore, Grpc.Net.Client and their Grpc.Core.Api /
// Grpc.Net.Common dependencies) cannot be restored from the package feed this project builds
// against; only Google.Protobuf and Grpc.Tools (protoc, for message classes) can. So this library
// speaks the gRPC wire protocol itself (PROTOCOL-HTTP2.md: length-prefixed frames over HTTP/2,
// grpc-status / grpc-message trailers, grpc-timeout deadlines) on Kestrel and HttpClient, and is
// tested against an independent implementation (@grpc/grpc-js).
//
// It is kept behind a handful of small types (GrpcMethod, MapGrpcUnary / MapGrpcServerStreaming,
// ServerCallContext, GrpcInvoker, GrpcCallOptions, GrpcStatusException, AddGrpcClient) so that
// moving to grpc-dotnet, once it can be restored, is a change confined to this project and the
// generated-descriptor project that uses it.
using Google.Protobuf;

namespace Encimap.Grpc;

/// <summary>
/// Describes one RPC: where it lives (<c>/{service}/{method}</c>), its shape, how to parse its
/// messages, and whether a client may safely send it again (retries).
/// </summary>
public sealed class GrpcMethod<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public GrpcMethod(
        string serviceName,
        string methodName,
        GrpcMethodType type,
        MessageParser<TRequest> requestParser,
        MessageParser<TResponse> responseParser,
        bool idempotent = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        ArgumentException.ThrowIfNullOrWhiteSpace(methodName);
        ServiceName = serviceName;
        MethodName = methodName;
        Type = type;
        RequestParser = requestParser ?? throw new ArgumentNullException(nameof(requestParser));
        ResponseParser = responseParser ?? throw new ArgumentNullException(nameof(responseParser));
        Idempotent = idempotent;
        Path = $"/{serviceName}/{methodName}";
        FullName = $"{serviceName}/{methodName}";
    }

    /// <summary>Fully qualified proto service name, e.g. <c>encimap.certificates.v1.Certificates</c>.</summary>
    public string ServiceName { get; }

    public string MethodName { get; }

    public GrpcMethodType Type { get; }

    public MessageParser<TRequest> RequestParser { get; }

    public MessageParser<TResponse> ResponseParser { get; }

    /// <summary>
    /// True when sending the call twice has the effect of sending it once: only such calls are
    /// retried by the client, and only when the server was unavailable.
    /// </summary>
    public bool Idempotent { get; }

    /// <summary>The HTTP/2 <c>:path</c>: <c>/{service}/{method}</c>.</summary>
    public string Path { get; }

    /// <summary><c>{service}/{method}</c>: the span name and the <c>rpc.*</c> naming.</summary>
    public string FullName { get; }

    public override string ToString() => Path;
}

namespace Encimap.Grpc;

/// <summary>How a server call ended: the status, its message and the custom trailers to send.</summary>
internal sealed record GrpcServerStatus(StatusCode Code, string Detail, IReadOnlyDictionary<string, string>? Trailers = null)
{
    public static readonly GrpcServerStatus Ok = new(StatusCode.OK, string.Empty);
    public static readonly GrpcServerStatus DeadlineExceeded = new(StatusCode.DeadlineExceeded, "Deadline Exceeded");
    public static readonly GrpcServerStatus Cancelled = new(StatusCode.Cancelled, "Call cancelled by the client.");
    public static readonly GrpcServerStatus HandlerFailed = new(StatusCode.Internal, "Exception was thrown by handler.");
}

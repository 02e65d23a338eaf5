namespace Encimap.Grpc;

/// <summary>
/// A non-OK gRPC status. Server handlers throw it to end a call with that status; clients receive
/// it for every call that did not end with OK (including transport failures, mapped to a status).
/// </summary>
public sealed class GrpcStatusException : Exception
{
    private static readonly IReadOnlyDictionary<string, string> NoTrailers = new Dictionary<string, string>();

    public GrpcStatusException(StatusCode statusCode, string detail)
        : this(statusCode, detail, trailers: null, innerException: null)
    {
    }

    public GrpcStatusException(StatusCode statusCode, string detail, IReadOnlyDictionary<string, string>? trailers)
        : this(statusCode, detail, trailers, innerException: null)
    {
    }

    public GrpcStatusException(
        StatusCode statusCode,
        string detail,
        IReadOnlyDictionary<string, string>? trailers,
        Exception? innerException)
        : base($"Status({statusCode}, \"{detail}\")", innerException)
    {
        StatusCode = statusCode;
        Detail = detail;
        Trailers = trailers ?? NoTrailers;
    }

    public StatusCode StatusCode { get; }

    /// <summary>The status message (<c>grpc-message</c>), already percent-decoded.</summary>
    public string Detail { get; }

    /// <summary>
    /// Custom trailers: on the server, sent with the status; on the client, those received
    /// (without <c>grpc-status</c> and <c>grpc-message</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> Trailers { get; }
}

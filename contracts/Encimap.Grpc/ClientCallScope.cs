using System.Net.Http;
using Polly;

namespace Encimap.Grpc;

/// <summary>
/// One client call's deadline and cancellation as a single token, and the translation of whatever
/// ended the call (cancellation, a transport error) into the gRPC status the caller sees.
/// </summary>
internal sealed class ClientCallScope : IDisposable
{
    private readonly CancellationTokenSource _cancellation;
    private readonly CancellationToken _callerToken;
    private readonly CancellationToken _enumeratorToken;
    private readonly CancellationTokenSource? _deadlineTimer;

    public ClientCallScope(DateTime? deadline, CancellationToken callerToken, CancellationToken enumeratorToken = default)
    {
        Deadline = deadline;
        _callerToken = callerToken;
        _enumeratorToken = enumeratorToken;
        if (deadline is { } due)
        {
            _deadlineTimer = new CancellationTokenSource(ClampTimer(due - DateTime.UtcNow));
        }

        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(
            callerToken, enumeratorToken, _deadlineTimer?.Token ?? CancellationToken.None);
    }

    public DateTime? Deadline { get; }

    public CancellationToken Token => _cancellation.Token;

    /// <summary>Time left for <c>grpc-timeout</c>; DEADLINE_EXCEEDED if none is left.</summary>
    public TimeSpan? RemainingTime()
    {
        if (Deadline is not { } due)
        {
            return null;
        }

        var remaining = due - DateTime.UtcNow;
        return remaining > TimeSpan.Zero ? remaining : throw DeadlineExceeded(null);
    }

    public GrpcStatusException Translate(Exception exception)
    {
        if (exception is GrpcStatusException status)
        {
            return status;
        }

        // Cancelling tears down the HTTP/2 stream, which can surface as an IOException rather than
        // an OperationCanceledException: the token says what really happened.
        if (_callerToken.IsCancellationRequested || _enumeratorToken.IsCancellationRequested)
        {
            return new GrpcStatusException(StatusCode.Cancelled, "Call cancelled by the caller.", null, exception);
        }

        if (_deadlineTimer?.IsCancellationRequested == true)
        {
            return DeadlineExceeded(exception);
        }

        return exception switch
        {
            HttpProtocolException protocol => FromHttp2ErrorCode(protocol),
            // A resilience layer under us (an HttpClient handler's open circuit) refused to send.
            ExecutionRejectedException rejected => new GrpcStatusException(StatusCode.Unavailable, $"The call was not sent: {rejected.Message}", null, rejected),
            HttpRequestException request => new GrpcStatusException(StatusCode.Unavailable, $"Error connecting to the service: {request.Message}", null, request),
            IOException io => new GrpcStatusException(StatusCode.Unavailable, $"Connection to the service lost: {io.Message}", null, io),
            OperationCanceledException cancelled => new GrpcStatusException(StatusCode.Cancelled, "Call cancelled.", null, cancelled),
            _ => new GrpcStatusException(StatusCode.Internal, $"Error in the gRPC client: {exception.Message}", null, exception),
        };
    }

    public void Dispose()
    {
        _cancellation.Dispose();
        _deadlineTimer?.Dispose();
    }

    private static GrpcStatusException DeadlineExceeded(Exception? inner) =>
        new(StatusCode.DeadlineExceeded, "Deadline Exceeded", null, inner);

    /// <summary>RST_STREAM codes mapped as PROTOCOL-HTTP2.md's "Errors" section says.</summary>
    private static GrpcStatusException FromHttp2ErrorCode(HttpProtocolException exception)
    {
        var code = exception.ErrorCode switch
        {
            0x7 => StatusCode.Unavailable,       // REFUSED_STREAM: not processed, safe to retry
            0x8 => StatusCode.Cancelled,         // CANCEL
            0xB => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
            0xC => StatusCode.PermissionDenied,  // INADEQUATE_SECURITY
            _ => StatusCode.Internal,
        };
        return new GrpcStatusException(code, $"HTTP/2 stream reset by the server (error code {exception.ErrorCode}).", null, exception);
    }

    private static TimeSpan ClampTimer(TimeSpan remaining)
    {
        var longest = TimeSpan.FromMilliseconds(int.MaxValue - 1);
        return remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining > longest ? longest : remaining;
    }
}

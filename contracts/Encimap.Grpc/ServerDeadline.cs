using Microsoft.AspNetCore.Http;

namespace Encimap.Grpc;

/// <summary>The call's deadline from <c>grpc-timeout</c>, as a token that fires when it passes.</summary>
internal sealed class ServerDeadline : IDisposable
{
    // CancelAfter takes at most int.MaxValue milliseconds (~24.8 days); longer is "no deadline" in practice.
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(int.MaxValue - 1);

    private readonly CancellationTokenSource? _timer;

    private ServerDeadline(TimeSpan? timeout)
    {
        if (timeout is not { } value || value > LongestTimer)
        {
            Deadline = DateTime.MaxValue;
            return;
        }

        Deadline = DateTime.UtcNow + value;
        _timer = new CancellationTokenSource(value);
    }

    public DateTime Deadline { get; }

    public CancellationToken Token => _timer?.Token ?? CancellationToken.None;

    public bool HasExpired => _timer?.IsCancellationRequested ?? false;

    /// <summary>A malformed grpc-timeout is ignored rather than failing the call: it is the
    /// client's own deadline, which the client enforces too.</summary>
    public static ServerDeadline FromHeaders(HttpContext http)
    {
        var header = http.Request.Headers[GrpcProtocol.TimeoutHeader].ToString();
        return new ServerDeadline(GrpcTimeout.TryParse(header, out var timeout) ? timeout : null);
    }

    public void Dispose() => _timer?.Dispose();
}

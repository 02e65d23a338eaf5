namespace Encimap.Grpc;

/// <summary>Per-call settings of a client call.</summary>
public sealed record GrpcCallOptions
{
    public static readonly GrpcCallOptions Default = new();

    /// <summary>When the call must have completed (UTC); sent as <c>grpc-timeout</c>. Null: no deadline.</summary>
    public DateTime? Deadline { get; init; }

    /// <summary>Custom request metadata. Names must be lower-case ASCII; binary values go in
    /// <c>-bin</c> headers, base64-encoded by the caller. Transport headers (grpc-*, te…) are ignored.</summary>
    public IEnumerable<KeyValuePair<string, string>>? Headers { get; init; }

    /// <summary>Cancels the call: the client sees CANCELLED and the server's token fires.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Options whose deadline is <paramref name="timeout"/> from now.</summary>
    public static GrpcCallOptions WithTimeout(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        new() { Deadline = DateTime.UtcNow + timeout, CancellationToken = cancellationToken };
}

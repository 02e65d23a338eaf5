namespace Encimap.Grpc;

/// <summary>Limits and resilience settings of one client (one target service).</summary>
public sealed class GrpcClientOptions
{
    /// <summary>Largest reply accepted; larger ones end the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Largest request sent; larger ones fail with RESOURCE_EXHAUSTED before sending.</summary>
    public int MaxSendMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Retries of idempotent calls that met UNAVAILABLE (0: none).</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First retry delay; it doubles each attempt, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Stop calling a service that keeps being UNAVAILABLE (fail fast instead of piling up
    /// connection attempts) for <see cref="CircuitBreakDuration"/>.
    /// </summary>
    public bool UseCircuitBreaker { get; set; } = true;

    /// <summary>Share of UNAVAILABLE outcomes, over at least 10 calls in 30 s, that opens the circuit.</summary>
    public double CircuitFailureRatio { get; set; } = 0.5;

    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}

using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Encimap.Grpc;

/// <summary>
/// The resilience state of one client: a circuit breaker shared by all its calls, and retries with
/// exponential backoff and jitter for idempotent calls. Only UNAVAILABLE counts as a failure:
/// every other status is an answer from the service, and repeating the call won't change it.
/// </summary>
public sealed class GrpcClientPolicy
{
    private readonly ResiliencePipeline _retry;
    private readonly ResiliencePipeline _breaker;

    public GrpcClientPolicy(GrpcClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _retry = BuildRetry(options);
        _breaker = BuildBreaker(options);
    }

    public GrpcClientOptions Options { get; }

    internal async ValueTask<T> ExecuteAsync<T>(bool idempotent, Func<CancellationToken, ValueTask<T>> attempt, CancellationToken cancellationToken)
    {
        if (!idempotent)
        {
            return await ThroughBreakerAsync(attempt, cancellationToken).ConfigureAwait(false);
        }

        return await _retry.ExecuteAsync(ct => ThroughBreakerAsync(attempt, ct), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<T> ThroughBreakerAsync<T>(Func<CancellationToken, ValueTask<T>> attempt, CancellationToken cancellationToken)
    {
        try
        {
            return await _breaker.ExecuteAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException e)
        {
            throw new GrpcStatusException(StatusCode.Unavailable, "The service is unavailable (circuit open after repeated failures).", null, e);
        }
    }

    private static bool IsUnavailable(Outcome<object> outcome) =>
        outcome.Exception is GrpcStatusException { StatusCode: StatusCode.Unavailable };

    private static ResiliencePipeline BuildRetry(GrpcClientOptions options)
    {
        if (options.MaxRetryAttempts <= 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(IsUnavailable(args.Outcome)),
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
    }

    private static ResiliencePipeline BuildBreaker(GrpcClientOptions options)
    {
        if (!options.UseCircuitBreaker)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(IsUnavailable(args.Outcome)),
                FailureRatio = options.CircuitFailureRatio,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = options.CircuitBreakDuration,
            })
            .Build();
    }
}

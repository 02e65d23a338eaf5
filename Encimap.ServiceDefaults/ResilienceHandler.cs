using System.Net;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Encimap.ServiceDefaults;

/// <summary>
/// Timeouts, retries with jitter (idempotent methods only) and a circuit breaker for every
/// outgoing HttpClient call, built with Polly. Microsoft.Extensions.Http.Resilience (the usual
/// way) cannot be restored here. gRPC calls pass through untouched: they carry their own
/// deadlines, and the gRPC transport owns their retries and circuit breaker.
/// </summary>
public sealed class ResilienceHandler : DelegatingHandler
{
    private static readonly HashSet<HttpMethod> IdempotentMethods =
        [HttpMethod.Get, HttpMethod.Head, HttpMethod.Options, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Trace];

    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("request");

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public ResilienceHandler(IOptions<OutgoingResilienceOptions> options)
    {
        var settings = options.Value;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(settings.TotalTimeout)
            .AddRetry(CreateRetry(settings))
            .AddCircuitBreaker(CreateBreaker(settings))
            .AddTimeout(settings.AttemptTimeout)
            .Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (IsGrpc(request))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (ctx, state) => new ValueTask<HttpResponseMessage>(state.SendCore(ctx.Properties.GetValue(RequestKey, null!), ctx.CancellationToken)),
                context,
                this);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendCore(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private static bool IsGrpc(HttpRequestMessage request) =>
        request.Content?.Headers.ContentType?.MediaType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;

    private static CircuitBreakerStrategyOptions<HttpResponseMessage> CreateBreaker(OutgoingResilienceOptions settings) => new()
    {
        FailureRatio = settings.BreakerFailureRatio,
        MinimumThroughput = settings.BreakerMinimumThroughput,
        SamplingDuration = settings.BreakerSamplingDuration,
        BreakDuration = settings.BreakerBreakDuration,
        ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
    };

    private static RetryStrategyOptions<HttpResponseMessage> CreateRetry(OutgoingResilienceOptions settings) => new()
    {
        MaxRetryAttempts = Math.Max(0, settings.MaxRetries),
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = settings.RetryBaseDelay,
        ShouldHandle = args => ValueTask.FromResult(
            IsTransient(args.Outcome)
            && args.Context.Properties.TryGetValue(RequestKey, out var request)
            && IdempotentMethods.Contains(request.Method)
            && request.Content is null),
    };

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => response.StatusCode is HttpStatusCode.RequestTimeout
            or HttpStatusCode.TooManyRequests
            or >= HttpStatusCode.InternalServerError,
        _ => false,
    };
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Encimap.ServiceDefaults;

/// <summary>
/// How the standard resilience handler (rate limiter, total timeout, retries, circuit breaker,
/// attempt timeout; options in configuration section <c>Resilience</c>) treats the fleet's calls.
/// <list type="bullet">
/// <item>gRPC calls (HTTP/2 POST, <c>content-type: application/grpc</c>) pass through untouched: no
/// attempt or total timeout, no retry, not counted by the breaker. gRPC clients come from the
/// HttpClientFactory, so the defaults reach them too, and a Deliver of a large message may rightly
/// take longer than 30 s: such calls are governed by their own deadlines, and their client decides
/// what may be retried (a repeated Deliver would store a message twice).</item>
/// <item>Only idempotent methods are retried (RFC 9110 §9.2.2): never POST, PATCH or CONNECT.</item>
/// </list>
/// A client that must not have the handler at all calls <see cref="WithoutStandardResilience"/> on
/// its registration.
/// </summary>
public static class OutgoingResilience
{
    public const string GrpcContentType = "application/grpc";

    public static void Configure(HttpStandardResilienceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Retry.DisableFor(HttpMethod.Post, HttpMethod.Patch, HttpMethod.Connect);
        var retry = options.Retry.ShouldHandle;
        options.Retry.ShouldHandle = args => IsGrpc(args.Context) ? PredicateResult.False() : retry(args);

        var breaker = options.CircuitBreaker.ShouldHandle;
        options.CircuitBreaker.ShouldHandle = args => IsGrpc(args.Context) ? PredicateResult.False() : breaker(args);

        var total = options.TotalRequestTimeout.Timeout;
        options.TotalRequestTimeout.TimeoutGenerator = args =>
            ValueTask.FromResult(IsGrpc(args.Context) ? Timeout.InfiniteTimeSpan : total);
        var attempt = options.AttemptTimeout.Timeout;
        options.AttemptTimeout.TimeoutGenerator = args =>
            ValueTask.FromResult(IsGrpc(args.Context) ? Timeout.InfiniteTimeSpan : attempt);
    }

    /// <summary>
    /// Takes the defaults' resilience handler off one client: for a client that governs its own
    /// timeouts and must report failures as they happen (a health probe, say).
    /// </summary>
    public static IHttpClientBuilder WithoutStandardResilience(this IHttpClientBuilder http)
    {
        // Marked experimental (EXTEXP0001) in Microsoft.Extensions.Http.Resilience 11: used here only,
        // so that a change of its API is one edit.
#pragma warning disable EXTEXP0001
        return http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }

    /// <summary>Whether <paramref name="request"/> is a gRPC call (PROTOCOL-HTTP2.md: POST, <c>application/grpc[+proto|+json…]</c>).</summary>
    public static bool IsGrpc(HttpRequestMessage? request) =>
        request is not null
        && request.Method == HttpMethod.Post
        && request.Content?.Headers.ContentType?.MediaType is { } mediaType
        && (mediaType.Equals(GrpcContentType, StringComparison.OrdinalIgnoreCase)
            || mediaType.StartsWith(GrpcContentType + "+", StringComparison.OrdinalIgnoreCase));

    private static bool IsGrpc(ResilienceContext context) => IsGrpc(context.GetRequestMessage());
}

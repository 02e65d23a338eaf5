using System.Globalization;
using System.Threading.RateLimiting;
using Encimap.Gateway.Authentication;
using Encimap.Gateway.Infrastructure;
using Microsoft.AspNetCore.RateLimiting;

namespace Encimap.Gateway.RateLimiting;

/// <summary>
/// Per-IP and per-user limits, chained into the global limiter: the IP limit applies to every
/// request (token guessing included), the user limit to requests with a valid user token. It
/// runs after authentication has read the token and before authorization answers 401, so both
/// answers come before anything is forwarded. Liveness probes (<c>/health</c>, <c>/alive</c>)
/// are never limited. Rejections get 429, <c>Retry-After</c> and the error envelope.
/// </summary>
public static class GatewayRateLimits
{
    private static readonly RateLimitPartition<string> Unlimited = RateLimitPartition.GetNoLimiter("");

    public static WebApplicationBuilder AddGatewayRateLimits(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(GatewayRateLimitOptions.Section).Get<GatewayRateLimitOptions>() ?? new();
        if (settings.Window <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{GatewayRateLimitOptions.Section}:Window must be positive.");
        }

        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    IsProbe(context) || settings.PermitsPerIp <= 0
                        ? Unlimited
                        : Window("ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"), settings.PermitsPerIp, settings.Window)),
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    UserTokenAuthentication.UserId(context.User) is { } userId && settings.PermitsPerUser > 0
                        ? Window("user:" + userId.ToString(), settings.PermitsPerUser, settings.Window)
                        : Unlimited));
            options.OnRejected = (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero
                    ? after
                    : settings.Window;
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                GatewayTelemetry.Rejected("rate_limited");
                return new ValueTask(GatewayErrors.WriteAsync(
                    rejected.HttpContext, StatusCodes.Status429TooManyRequests, "rate_limited", $"too many requests; retry after {seconds} s"));
            };
        });
        return builder;
    }

    private static RateLimitPartition<string> Window(string key, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static bool IsProbe(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/alive");
}

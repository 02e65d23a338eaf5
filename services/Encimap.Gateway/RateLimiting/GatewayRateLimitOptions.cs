namespace Encimap.Gateway.RateLimiting;

/// <summary>
/// Fixed-window limits (configuration section <c>Gateway:RateLimits</c>). A limit of 0 or less
/// turns that limiter off.
/// </summary>
public sealed class GatewayRateLimitOptions
{
    public const string Section = "Gateway:RateLimits";

    /// <summary>Requests one user (the token's <c>sub</c>) may make per window.</summary>
    public int PermitsPerUser { get; set; } = 600;

    /// <summary>Requests one client IP address may make per window, with or without a valid token.</summary>
    public int PermitsPerIp { get; set; } = 1200;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

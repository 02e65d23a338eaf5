using System.Net;

namespace Encimap.Gateway.Tests;

/// <summary>Per-user and per-IP limits, each on a gateway of the fleet configured with a tiny limit.</summary>
[Collection(GatewayFleetCollection.Name)]
public sealed class RateLimitTests(GatewayFixture fleet)
{
    private const string P = GatewayCalls.Prefix;

    [Fact]
    public async Task A_user_over_the_limit_gets_429_with_retry_after_while_other_users_go_on()
    {
        const string gateway = GatewayFixture.UserLimitedGateway;
        var busy = await Tenant.CreateAsync(fleet);
        var other = await Tenant.CreateAsync(fleet);
        using var busyHttp = fleet.GatewayClientFor(busy.UserId, gateway);
        using var otherHttp = fleet.GatewayClientFor(other.UserId, gateway);
        var marker = Guid.NewGuid().ToString("N");

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await busyHttp.GetAsync($"{P}/vaultboxes");
            await allowed.DataAsync();
        }

        using var limited = await busyHttp.GetAsync($"{P}/vaultboxes?probe={marker}");
        using var otherUser = await otherHttp.GetAsync($"{P}/vaultboxes");

        Assert.Equal("rate_limited", await limited.ErrorCodeAsync(HttpStatusCode.TooManyRequests));
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        await otherUser.DataAsync();
        Assert.DoesNotContain(marker, fleet.ApiLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_over_the_limit_gets_429_even_without_a_token_and_probes_stay_open()
    {
        const string gateway = GatewayFixture.AddressLimitedGateway;
        using var anonymous = fleet.GatewayClient(null, gateway);

        using var first = await anonymous.GetAsync($"{P}/vaultboxes");
        using var second = await anonymous.GetAsync($"{P}/vaultboxes");
        using var third = await anonymous.GetAsync($"{P}/vaultboxes");
        using var withToken = await fleet.GatewayClientFor(Guid.NewGuid(), gateway).GetAsync($"{P}/vaultboxes");
        using var health = await anonymous.GetAsync("/health");
        using var alive = await anonymous.GetAsync("/alive");

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal("rate_limited", await third.ErrorCodeAsync(HttpStatusCode.TooManyRequests));
        Assert.InRange(third.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 300);
        Assert.Equal(HttpStatusCode.TooManyRequests, withToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }
}

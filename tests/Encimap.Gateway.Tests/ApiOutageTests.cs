using System.Net;
using System.Text;

namespace Encimap.Gateway.Tests;

/// <summary>
/// When the API is down the gateway answers itself: 502/503 with the envelope, never an empty body
/// or a trace. The test stops the fleet's API and starts it again.
/// </summary>
[Collection(GatewayFleetCollection.Name)]
public sealed class ApiOutageTests(GatewayFixture fleet)
{
    private const string P = GatewayCalls.Prefix;

    [Fact]
    public async Task A_stopped_api_gives_502_with_the_envelope_and_an_unhealthy_api_health()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.GatewayClientFor(tenant.UserId);
        using (var before = await http.GetAsync($"{P}/vaultboxes"))
        {
            await before.DataAsync();
        }

        await fleet.StopResourceAsync("api");
        try
        {
            await AssertAnsweredByTheGatewayAsync(http, tenant);
        }
        finally
        {
            await fleet.StartResourceAsync("api");
        }

        using var after = await http.GetAsync($"{P}/vaultboxes");
        await after.DataAsync();
    }

    private async Task AssertAnsweredByTheGatewayAsync(HttpClient http, Tenant tenant)
    {
        using var list = await http.GetAsync($"{P}/vaultboxes");
        using var create = await http.PostAsync($"{P}/vaultboxes", new StringContent($"{{\"domain\":\"{tenant.Domain}\",\"alias\":\"x\"}}", Encoding.UTF8, "application/json"));
        using var health = await http.GetAsync("/api/health");
        using var alive = await http.GetAsync("/alive");

        foreach (var response in new[] { list, create })
        {
            Assert.Equal("api_unreachable", await response.ErrorCodeAsync(HttpStatusCode.BadGateway));
        }

        var envelope = await health.EnvelopeAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("api_unavailable", envelope.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("unhealthy", envelope.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("healthy", envelope.GetProperty("data").GetProperty("gateway").GetString());
        Assert.Equal("unreachable", envelope.GetProperty("data").GetProperty("api").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.True(fleet.IsRunning(GatewayFixture.Gateway));
    }
}

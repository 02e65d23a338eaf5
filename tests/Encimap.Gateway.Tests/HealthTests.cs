using System.Net;

namespace Encimap.Gateway.Tests;

/// <summary><c>/api/health</c> summarises the gateway and the API; <c>/health</c> and <c>/alive</c> are the gateway's own.</summary>
[Collection(GatewayFleetCollection.Name)]
public sealed class HealthTests(GatewayFixture fleet)
{
    [Fact]
    public async Task Api_health_reports_the_gateway_and_the_apis_dependencies_without_a_token()
    {
        using var http = fleet.GatewayClient(null);

        using var response = await http.GetAsync("/api/health");

        var data = await response.DataAsync();
        Assert.Equal("healthy", data.GetProperty("gateway").GetString());
        Assert.Equal("healthy", data.GetProperty("status").GetString());
        var services = data.GetProperty("api").GetProperty("services");
        Assert.Equal("connected", services.GetProperty("database").GetString());
        Assert.Equal("accessible", services.GetProperty("storage").GetString());
        // The fleet does not point the API at the SMTP gateway.
        Assert.Equal("not_configured", services.GetProperty("mta").GetString());
        Assert.Equal("running", services.GetProperty("certificates").GetString());
    }

    [Fact]
    public async Task Liveness_and_readiness_answer_and_unknown_paths_get_the_envelope()
    {
        using var http = fleet.GatewayClient(null);

        using var health = await http.GetAsync("/health");
        using var alive = await http.GetAsync("/alive");
        using var unknown = await http.GetAsync("/api/nothing-here");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal("not_found", await unknown.ErrorCodeAsync(HttpStatusCode.NotFound));
    }
}

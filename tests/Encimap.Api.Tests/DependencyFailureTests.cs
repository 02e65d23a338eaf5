using System.Net;
using Npgsql;

namespace Encimap.Api.Tests;

/// <summary>
/// With the certificate service or the database gone, the API says so (503) instead of half
/// working: health reports the culprit in the seed's shape (no envelope), and a vaultbox whose
/// certificate cannot be issued is not created at all. Each test gives back what it took away.
/// </summary>
[Collection(ApiFleetCollection.Name)]
public sealed class DependencyFailureTests(ApiFixture fleet)
{
    [Fact]
    public async Task Database_down_makes_health_503_and_it_recovers_when_the_database_returns()
    {
        using var anonymous = fleet.ClientWithToken(null);
        Assert.Equal("connected", await DatabaseStateAsync(anonymous));

        await fleet.SetEncimapConnectionsAllowedAsync(false);
        try
        {
            using var down = await anonymous.GetAsync("/s2s/v1/health");
            var body = await HealthAsync(down, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("unhealthy", body.GetProperty("status").GetString());
            Assert.Equal("disconnected", body.GetProperty("services").GetProperty("database").GetString());
            Assert.Equal("inaccessible", body.GetProperty("services").GetProperty("storage").GetString());
        }
        finally
        {
            await fleet.SetEncimapConnectionsAllowedAsync(true);
        }

        Assert.Equal("connected", await DatabaseStateAsync(anonymous));
    }

    [Fact]
    public async Task Certificate_service_down_makes_health_503_and_creates_no_vaultbox()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        await http.CreateVaultboxAsync(tenant.Domain, "before");

        await fleet.StopResourceAsync("certificates");
        try
        {
            using var health = await http.GetAsync("/s2s/v1/health");
            var body = await HealthAsync(health, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("unreachable", body.GetProperty("services").GetProperty("certificates").GetString());
            Assert.Equal("unhealthy", body.GetProperty("status").GetString());
            Assert.Equal("connected", body.GetProperty("services").GetProperty("database").GetString());

            using var create = await http.PostJsonAsync("/s2s/v1/vaultboxes", new { domain = tenant.Domain, alias = "after" });
            Assert.Equal("certificate_service_unavailable", await create.ErrorCodeAsync(HttpStatusCode.ServiceUnavailable));
            using var list = await http.GetAsync("/s2s/v1/vaultboxes");
            Assert.Equal(["before"], (await list.DataAsync()).EnumerateArray().Select(v => v.GetProperty("alias").GetString()));
            await using var connection = new NpgsqlConnection(fleet.EncimapOwnerConnectionString);
            await connection.OpenAsync();
            await using var routes = new NpgsqlCommand("SELECT count(*) FROM mail_routes WHERE address = $1", connection);
            routes.Parameters.AddWithValue($"after@{tenant.Domain}");
            Assert.Equal(0L, await routes.ExecuteScalarAsync());
        }
        finally
        {
            await fleet.StartResourceAsync("certificates");
        }

        // Back: the API sees the certificate service again and issues certificates.
        await http.CreateVaultboxAsync(tenant.Domain, "back");
    }

    // Only the database's state: the certificate service's is another test's.
    private static async Task<string?> DatabaseStateAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/s2s/v1/health");
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("services").GetProperty("database").GetString();
    }

    /// <summary>The health answer: the seed's shape, never the envelope.</summary>
    private static async Task<System.Text.Json.JsonElement> HealthAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        using var body = System.Text.Json.JsonDocument.Parse(text);
        Assert.False(body.RootElement.TryGetProperty("success", out _), text);
        Assert.False(body.RootElement.TryGetProperty("data", out _), text);
        return body.RootElement.Clone();
    }
}

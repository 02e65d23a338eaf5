using System.Net;
using System.Text.Json;
using Encimap.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Encimap.ServiceDefaults.Tests;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Health_is_200_with_every_check_listed_when_all_pass()
    {
        await using var app = await LoopbackApp.StartAsync(a => a.MapDefaultEndpoints());
        using var http = new HttpClient { BaseAddress = app.Address };

        using var response = await http.GetAsync("/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("self").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_failing_dependency_makes_health_503_but_alive_stays_200()
    {
        await using var app = await LoopbackApp.StartAsync(
            a => a.MapDefaultEndpoints(),
            configure: b => b.Services.AddHealthChecks().AddCheck("database", () => HealthCheckResult.Unhealthy("connection refused")));
        using var http = new HttpClient { BaseAddress = app.Address };

        using var health = await http.GetAsync("/health");
        using var alive = await http.GetAsync("/alive");
        using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.DoesNotContain("database", await alive.Content.ReadAsStringAsync());
    }
}

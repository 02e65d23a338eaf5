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
        using var http = app.Client();

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
        using var http = app.Client();

        using var health = await http.GetAsync("/health");
        using var alive = await http.GetAsync("/alive");
        using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.DoesNotContain("database", await alive.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_check_that_threw_is_described_by_the_exception_type_only()
    {
        await using var app = await LoopbackApp.StartAsync(
            a => a.MapDefaultEndpoints(),
            configure: b => b.Services.AddHealthChecks().AddCheck("database", () =>
                HealthCheckResult.Unhealthy("password authentication failed for user \"encimap\"", new InvalidOperationException("secret-host:5432"))));
        using var http = app.Client();

        using var health = await http.GetAsync("/health");
        var text = await health.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("InvalidOperationException", body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("description").GetString());
        Assert.DoesNotContain("encimap", text.Replace("Encimap", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-host", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_check_that_hangs_fails_within_the_default_timeout()
    {
        await using var app = await LoopbackApp.StartAsync(
            a => a.MapDefaultEndpoints(),
            configure: b => b.Services.AddHealthChecks().AddAsyncCheck("hangs", async ct =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return HealthCheckResult.Healthy();
            }));
        using var http = app.Client();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var health = await http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.InRange(clock.Elapsed, ServiceDefaultsExtensions.DefaultHealthCheckTimeout, ServiceDefaultsExtensions.DefaultHealthCheckTimeout * 3);
    }
}

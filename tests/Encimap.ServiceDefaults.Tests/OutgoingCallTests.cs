using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.ServiceDefaults.Tests;

/// <summary>HttpClients made by the factory resolve service names and retry only what is safe to retry.</summary>
public sealed class OutgoingCallTests
{
    [Fact]
    public async Task Logical_host_resolves_and_transient_failures_of_a_get_are_retried()
    {
        var hits = 0;
        await using var backend = await LoopbackApp.StartAsync(
            a => a.MapGet("/flaky", () => Interlocked.Increment(ref hits) <= 2 ? Results.StatusCode(503) : Results.Text("ok")),
            withDefaults: false);
        await using var caller = await StartCallerAsync(backend.Address);
        var http = caller.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("backend");

        using var response = await http.GetAsync("http://backend/flaky");

        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, hits);
    }

    [Fact]
    public async Task A_post_is_never_retried()
    {
        var hits = 0;
        await using var backend = await LoopbackApp.StartAsync(
            a => a.MapPost("/once", () => { Interlocked.Increment(ref hits); return Results.StatusCode(503); }),
            withDefaults: false);
        await using var caller = await StartCallerAsync(backend.Address);
        var http = caller.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient();

        using var response = await http.PostAsync("http://backend/once", new StringContent("x"));

        Assert.Equal(503, (int)response.StatusCode);
        Assert.Equal(1, hits);
    }

    [Fact]
    public async Task A_slow_attempt_times_out_and_is_retried()
    {
        var hits = 0;
        await using var backend = await LoopbackApp.StartAsync(
            a => a.MapGet("/slow-once", async (CancellationToken ct) =>
            {
                if (Interlocked.Increment(ref hits) == 1)
                {
                    await Task.Delay(TimeSpan.FromSeconds(20), ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                return Results.Text("fast");
            }),
            withDefaults: false);
        await using var caller = await StartCallerAsync(backend.Address, new() { ["Resilience:AttemptTimeout"] = "00:00:01" });
        var http = caller.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var response = await http.GetAsync("http://backend/slow-once");

        // The answer came from a later attempt, long before the first one would have finished.
        Assert.Equal("fast", await response.Content.ReadAsStringAsync());
        Assert.InRange(hits, 2, 4);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    private static Task<LoopbackApp> StartCallerAsync(Uri backend, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["services:backend:http:0"] = backend.AbsoluteUri,
            ["Resilience:RetryBaseDelay"] = "00:00:00.010",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return LoopbackApp.StartAsync(_ => { }, settings: settings, configure: b => b.Services.AddHttpClient("backend"));
    }
}

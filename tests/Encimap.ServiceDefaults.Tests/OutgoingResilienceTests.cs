using System.Diagnostics;
using Encimap.ServiceDefaults.Tests.Probe;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Polly.Timeout;

namespace Encimap.ServiceDefaults.Tests;

/// <summary>
/// The standard resilience handler on every HttpClient of the factory: idempotent HTTP calls are
/// retried and cut by its timeouts; gRPC calls (clients made by the same factory) are neither,
/// they live by their own deadlines. The handler's limits are made small here (1 s per attempt,
/// 2 s in all) so that a call "longer than the limits" takes seconds, not minutes.
/// </summary>
public sealed class OutgoingResilienceTests
{
    private static readonly Dictionary<string, string?> SmallLimits = new()
    {
        ["Resilience:AttemptTimeout:Timeout"] = "00:00:01",
        ["Resilience:TotalRequestTimeout:Timeout"] = "00:00:02",
        ["Resilience:Retry:Delay"] = "00:00:00.010",
    };

    [Fact]
    public async Task A_get_that_failed_transiently_is_retried_through_its_logical_name()
    {
        var hits = 0;
        await using var backend = await LoopbackApp.StartAsync(
            a => a.MapGet("/flaky", () => Interlocked.Increment(ref hits) <= 2 ? Results.StatusCode(503) : Results.Text("ok")),
            withDefaults: false);
        await using var caller = await StartCallerAsync(("backend", "http", backend.Address));

        using var response = await HttpClient(caller).GetAsync("http://backend/flaky");

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
        await using var caller = await StartCallerAsync(("backend", "http", backend.Address));

        using var response = await HttpClient(caller).PostAsync("http://backend/once", new StringContent("x"));

        Assert.Equal(503, (int)response.StatusCode);
        Assert.Equal(1, hits);
    }

    [Fact]
    public async Task A_slow_http_call_is_cut_by_the_handlers_timeouts()
    {
        var hits = 0;
        await using var backend = await LoopbackApp.StartAsync(
            a => a.MapGet("/slow", async (CancellationToken ct) =>
            {
                Interlocked.Increment(ref hits);
                await Task.Delay(TimeSpan.FromSeconds(10), ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return Results.Text("late");
            }),
            withDefaults: false);
        await using var caller = await StartCallerAsync(("backend", "http", backend.Address));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => HttpClient(caller).GetStringAsync("http://backend/slow"));

        // Attempts of 1 s, retried, until the 2 s total: never the 10 s the backend takes.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(5));
        Assert.InRange(hits, 2, 3);
    }

    [Fact]
    public async Task A_client_without_the_handler_sees_the_first_failure()
    {
        var hits = 0;
        await using var backend = await LoopbackApp.StartAsync(
            a => a.MapGet("/flaky", () => { Interlocked.Increment(ref hits); return Results.StatusCode(503); }),
            withDefaults: false);
        await using var caller = await StartCallerAsync(
            ("backend", "http", backend.Address),
            services => services.AddHttpClient("probe").WithoutStandardResilience());

        using var response = await caller.Services.GetRequiredService<IHttpClientFactory>().CreateClient("probe").GetAsync("http://backend/flaky");

        Assert.Equal(503, (int)response.StatusCode);
        Assert.Equal(1, hits);
    }

    [Fact]
    public async Task A_grpc_call_longer_than_the_handlers_timeouts_completes_under_its_own_deadline()
    {
        var state = new ProbeService.State();
        await using var server = await ProbeService.StartAsync(state);
        await using var caller = await StartCallerAsync(("probe", "grpc", server.Address), AddProbeClient);
        var clock = Stopwatch.StartNew();

        var reply = await Probe(caller).WaitAsync(
            new WaitRequest { Milliseconds = 3_000 },
            deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.Equal(1, reply.Calls);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_grpc_deadline_still_ends_a_slow_call()
    {
        var state = new ProbeService.State();
        await using var server = await ProbeService.StartAsync(state);
        await using var caller = await StartCallerAsync(("probe", "grpc", server.Address), AddProbeClient);
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<RpcException>(() => Probe(caller).WaitAsync(
            new WaitRequest { Milliseconds = 10_000 },
            deadline: DateTime.UtcNow.AddMilliseconds(1_500)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, failure.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.2), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_grpc_call_refused_with_503_is_not_retried()
    {
        // Without the gRPC rule the standard retry would send this POST three more times.
        var state = new ProbeService.State { RefuseWith503 = true };
        await using var server = await ProbeService.StartAsync(state);
        await using var caller = await StartCallerAsync(("probe", "grpc", server.Address), AddProbeClient);

        var failure = await Assert.ThrowsAsync<RpcException>(() => Probe(caller).WaitAsync(
            new WaitRequest { Milliseconds = 0 },
            deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Equal(1, state.Calls);
    }

    private static void AddProbeClient(IServiceCollection services) =>
        services.AddGrpcClient<Probe.Probe.ProbeClient>(options => options.Address = new Uri("http://_grpc.probe"));

    private static Probe.Probe.ProbeClient Probe(LoopbackApp caller) => caller.Services.GetRequiredService<Probe.Probe.ProbeClient>();

    private static HttpClient HttpClient(LoopbackApp caller) => caller.Services.GetRequiredService<IHttpClientFactory>().CreateClient("backend");

    private static Task<LoopbackApp> StartCallerAsync((string Service, string Endpoint, Uri Address) target, Action<IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>(SmallLimits)
        {
            [$"services:{target.Service}:{target.Endpoint}:0"] = target.Address.AbsoluteUri,
        };
        return LoopbackApp.StartAsync(_ => { }, settings: settings, configure: builder =>
        {
            builder.Services.AddHttpClient("backend");
            services?.Invoke(builder.Services);
        });
    }
}

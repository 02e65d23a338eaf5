using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Encimap.ServiceDefaults.Tests;

/// <summary>
/// What the traces of a service look like: server spans named after their route, failures marked,
/// health probes and dependency calls outside any operation left out.
/// </summary>
public sealed class TracingTests
{
    private static readonly ActivitySource Background = new("Encimap.Tests.Background");

    [Fact]
    public async Task Server_spans_are_named_after_the_route_and_server_errors_fail_them()
    {
        var exported = new List<Activity>();
        await using var app = await StartTracedAsync(exported, a =>
        {
            a.MapPost("/s2s/v1/vaultboxes/{id}/imap-credentials", (string id) => Results.Ok(id));
            a.MapGet("/broken", () => Results.StatusCode(503));
        });
        using var http = app.Client();

        using var created = await http.PostAsync("/s2s/v1/vaultboxes/42/imap-credentials", null);
        using var broken = await http.GetAsync("/broken");

        var span = await WaitForAsync(exported, a => a.Kind == ActivityKind.Server && Equals(a.GetTagItem("url.path"), "/s2s/v1/vaultboxes/42/imap-credentials"));
        Assert.Equal("POST /s2s/v1/vaultboxes/{id}/imap-credentials", span.DisplayName);
        Assert.Equal("/s2s/v1/vaultboxes/{id}/imap-credentials", span.GetTagItem("http.route"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        var failed = await WaitForAsync(exported, a => a.Kind == ActivityKind.Server && Equals(a.GetTagItem("url.path"), "/broken"));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
    }

    [Fact]
    public async Task Health_probes_are_not_traced()
    {
        var exported = new List<Activity>();
        await using var app = await StartTracedAsync(exported, a =>
        {
            a.MapDefaultEndpoints();
            a.MapGet("/work", () => "done");
        });
        using var http = app.Client();

        (await http.GetAsync("/health")).Dispose();
        (await http.GetAsync("/alive")).Dispose();
        (await http.GetAsync("/work")).Dispose();

        // Spans end in request order: once /work is exported, the probes would have been.
        await WaitForAsync(exported, a => Equals(a.GetTagItem("url.path"), "/work"));
        Assert.DoesNotContain(Snapshot(exported), a => a.GetTagItem("url.path") is "/health" or "/alive");
    }

    [Fact]
    public async Task An_outgoing_call_outside_any_operation_is_not_a_trace_of_its_own()
    {
        var exported = new List<Activity>();
        await using var backend = await LoopbackApp.StartAsync(a => a.MapGet("/{marker}", (string marker) => marker), withDefaults: false);
        await using var app = await StartTracedAsync(exported, _ => { });
        var http = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
        var orphan = "orphan-" + Guid.NewGuid().ToString("N");
        var enclosed = "enclosed-" + Guid.NewGuid().ToString("N");

        // A background poll: no operation around the call.
        Activity.Current = null;
        await http.GetStringAsync(new Uri(backend.Address, orphan));
        // A job that does something: its calls are its children.
        using (var job = Background.StartActivity("job"))
        {
            Assert.NotNull(job);
            await http.GetStringAsync(new Uri(backend.Address, enclosed));
        }

        var child = await WaitForAsync(exported, a => a.Kind == ActivityKind.Client && UrlContains(a, enclosed));
        Assert.NotEqual(default, child.ParentSpanId);
        Assert.DoesNotContain(Snapshot(exported), a => UrlContains(a, orphan));
    }

    private static bool UrlContains(Activity activity, string marker) =>
        activity.GetTagItem("url.full") is string url && url.Contains(marker, StringComparison.Ordinal);

    private static Task<LoopbackApp> StartTracedAsync(List<Activity> exported, Action<WebApplication> map) =>
        LoopbackApp.StartAsync(map, configure: builder =>
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(exported)));

    private static List<Activity> Snapshot(List<Activity> exported)
    {
        lock (exported)
        {
            return [.. exported];
        }
    }

    private static async Task<Activity> WaitForAsync(List<Activity> exported, Func<Activity, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (Snapshot(exported).FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("the span was never exported");
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Encimap.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Encimap.ServiceDefaults.Tests;

public sealed class RouteSpanNamingTests
{
    [Fact]
    public async Task Server_span_is_named_after_the_route_template()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = await LoopbackApp.StartAsync(a =>
            a.MapPost("/s2s/v1/vaultboxes/{id}/imap-credentials", (string id) => Results.Ok(id)));
        using var http = new HttpClient { BaseAddress = app.Address };

        using var response = await http.PostAsync("/s2s/v1/vaultboxes/42/imap-credentials", null);

        Assert.Equal(200, (int)response.StatusCode);
        var span = await WaitForAsync(stopped, a => a.GetTagItem("url.path") as string == "/s2s/v1/vaultboxes/42/imap-credentials");
        Assert.Equal("POST /s2s/v1/vaultboxes/{id}/imap-credentials", span.DisplayName);
        Assert.Equal("/s2s/v1/vaultboxes/{id}/imap-credentials", span.GetTagItem("http.route"));
        Assert.Equal(200, span.GetTagItem("http.response.status_code"));
    }

    [Fact]
    public async Task Server_error_marks_the_span_as_failed()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = await LoopbackApp.StartAsync(a => a.MapGet("/broken", () => Results.StatusCode(503)));
        using var http = new HttpClient { BaseAddress = app.Address };

        using var response = await http.GetAsync("/broken");

        var span = await WaitForAsync(stopped, a => a.GetTagItem("url.path") as string == "/broken");
        Assert.Equal("GET /broken", span.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }

    private static async Task<Activity> WaitForAsync(ConcurrentQueue<Activity> stopped, Func<Activity, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var found = stopped.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("the server span never stopped");
    }
}

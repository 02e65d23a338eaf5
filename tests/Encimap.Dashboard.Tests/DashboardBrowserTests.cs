using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Encimap.Dashboard.Tests;

/// <summary>
/// The dashboard as a developer meets it: the real fleet starts, every resource shows healthy,
/// a vaultbox is created through the API, and the trace of that request (API → certificate
/// service over gRPC, two processes) is in the trace list and in its waterfall; then one message
/// sent to the MX port is one trace across the SMTP gateway, the intake and the certificate
/// service. Screenshots go to <c>artifacts/screenshots/</c>.
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FleetProcess _fleet = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _page = null!;
    private string _domain = "";

    public async Task InitializeAsync()
    {
        _fleet = FleetProcess.Start();
        (_playwright, _browser) = await Chromium.LaunchAsync();
        _page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        _page.SetDefaultTimeout(60_000);
        _page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                output.WriteLine($"browser console: {message.Text}");
            }
        };
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _fleet.DisposeAsync();
    }

    [Fact]
    public async Task Resources_are_healthy_and_a_request_and_an_inbound_message_are_each_one_trace_across_services()
    {
        var resources = await _fleet.WaitReadyAsync(TimeSpan.FromMinutes(4));
        var names = resources.EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToList();
        Assert.Contains("postgres", names);
        Assert.Contains("api", names);
        Assert.Contains("certificates", names);
        Assert.Contains("smtp", names);
        Assert.Contains("intake", names);

        // Resources: one row per resource, all running and healthy, endpoints as links.
        await _page.GotoAsync(_fleet.Dashboard.AbsoluteUri);
        await _page.WaitForFunctionAsync(
            """names => names.every(n => { const row = document.querySelector(`#resources tr[data-resource="${n}"]`); return row && row.dataset.state === 'Running' && row.dataset.health === 'Healthy'; })""",
            names);
        var apiUrl = FleetProcess.Endpoint(resources, "api", "http");
        Assert.Equal(1, await _page.Locator($"#resources tr[data-resource=\"api\"] a[href^=\"{apiUrl.AbsoluteUri.TrimEnd('/')}\"]").CountAsync());
        await ScreenshotAsync("dashboard-resources.png");

        // Traffic: a vaultbox for a verified domain of a new user, with that user's S2S token.
        var traceSummary = await CreateVaultboxAsync(resources);
        var traceId = traceSummary.GetProperty("traceId").GetString()!;
        output.WriteLine($"trace {traceId}: {traceSummary}");

        // The trace list shows it with both services; its row opens the waterfall.
        await _page.GotoAsync(new Uri(_fleet.Dashboard, "traces.html").AbsoluteUri);
        var row = _page.Locator($"#traces tr[data-trace-id=\"{traceId}\"]");
        await row.WaitForAsync();
        Assert.Contains("POST /s2s/v1/vaultboxes", await row.InnerTextAsync());
        Assert.Equal(1, await row.Locator(".chip[data-service=\"certificates\"]").CountAsync());
        await ScreenshotAsync("dashboard-traces.png");
        await row.Locator("a").First.ClickAsync();

        await OpenWaterfallAsync(traceId, ["api", "certificates"]);
        await _page.Locator(".span-row[data-service=\"certificates\"]").First.ClickAsync();
        // grpc-dotnet tags its server spans with the method it served.
        await _page.Locator("#details .kv td", new() { HasText = "grpc.method" }).First.WaitForAsync();
        await ScreenshotAsync("dashboard-trace-waterfall.png");

        // One inbound message is one trace: the SMTP transaction, the intake's Deliver (with its
        // certificate lookup, encryption and commit) and the certificate service, across processes.
        await SmtpMessage.SendAsync(FleetProcess.Endpoint(resources, "smtp", "mx"), $"cat@{_domain}");
        var mailTrace = await TelemetryWaits.WaitForTraceAsync(_fleet.Dashboard, ["smtp", "intake", "certificates"], "smtp transaction");
        var mailTraceId = mailTrace.GetProperty("traceId").GetString()!;
        output.WriteLine($"mail trace {mailTraceId}: {mailTrace}");
        await _page.GotoAsync(new Uri(_fleet.Dashboard, $"trace.html?id={mailTraceId}").AbsoluteUri);
        await OpenWaterfallAsync(mailTraceId, ["smtp", "intake", "certificates"]);
        await ScreenshotAsync("dashboard-smtp-trace-waterfall.png");

        // Structured logs, metrics and console logs of the same fleet.
        await _page.GotoAsync(new Uri(_fleet.Dashboard, "logs.html?service=api").AbsoluteUri);
        await _page.Locator("#logs tr[data-service=\"api\"]").First.WaitForAsync();
        await ScreenshotAsync("dashboard-logs.png");
        await _page.GotoAsync(new Uri(_fleet.Dashboard, "metrics.html").AbsoluteUri);
        await _page.Locator(".card[data-service=\"api\"]").WaitForAsync();
        await ScreenshotAsync("dashboard-metrics.png");
        await _page.GotoAsync(new Uri(_fleet.Dashboard, "console.html?resource=api").AbsoluteUri);
        await _page.Locator("#console .line").First.WaitForAsync();
        await ScreenshotAsync("dashboard-console.png");
    }

    /// <summary>Opens the waterfall of a trace and waits until it shows spans of every one of <paramref name="services"/>.</summary>
    private async Task OpenWaterfallAsync(string traceId, IReadOnlyCollection<string> services)
    {
        if (!_page.Url.Contains(traceId, StringComparison.Ordinal))
        {
            await _page.GotoAsync(new Uri(_fleet.Dashboard, $"trace.html?id={traceId}").AbsoluteUri);
        }

        foreach (var service in services)
        {
            await _page.Locator($"#waterfall .span-row[data-service=\"{service}\"]").First.WaitForAsync();
        }

        var shown = await _page.Locator("#waterfall .span-row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.service)");
        Assert.Superset(services.ToHashSet(), shown.ToHashSet());
        Assert.Equal(1, await _page.Locator("#waterfall .span-row .wf-bar").First.CountAsync());
    }

    private async Task<JsonElement> CreateVaultboxAsync(JsonElement resources)
    {
        var postgres = FleetProcess.Endpoint(resources, "postgres", "tcp");
        var platform = $"Host=127.0.0.1;Port={postgres.Port};Database=motorical_db;Username=motorical;Password={_fleet.Secret("postgres-platform-owner")}";
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var domain = _domain = $"trace-{suffix}.example";
        var userId = await Encimapctl.RunAsync(_fleet.StateDirectory, "users", "add", $"owner-{suffix}@example.org", "--platform", platform);
        await Encimapctl.RunAsync(_fleet.StateDirectory, "domains", "add", domain, "--user", userId, "--verified", "--platform", platform);
        var token = await Encimapctl.RunAsync(_fleet.StateDirectory, "token", "--user", userId);

        using var http = new HttpClient { BaseAddress = FleetProcess.Endpoint(resources, "api", "http"), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var created = await http.PostAsJsonAsync("/s2s/v1/vaultboxes", new { domain, alias = "cat", name = "Cat's box" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());

        return await TelemetryWaits.WaitForTraceAsync(_fleet.Dashboard, ["api", "certificates"], "POST /s2s/v1/vaultboxes");
    }

    private async Task ScreenshotAsync(string name)
    {
        var path = Path.Combine(Artifacts.Screenshots, name);
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }
}

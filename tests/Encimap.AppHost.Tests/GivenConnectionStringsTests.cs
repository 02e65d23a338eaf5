using Aspire.Hosting.Testing;
using Encimap.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.AppHost.Tests;

/// <summary>
/// Given <c>ConnectionStrings:encimap</c> and <c>ConnectionStrings:platform</c>, the AppHost
/// starts no PostgreSQL of its own: it migrates those databases and the services use them.
/// </summary>
public sealed class GivenConnectionStringsTests : IAsyncLifetime
{
    private TestDatabasePair _databases = null!;
    private GivenDatabasesFleet _fleet = null!;

    public async Task InitializeAsync()
    {
        _databases = await TestDatabases.CreateAsync();
        _fleet = new GivenDatabasesFleet(_databases.EncimapOwner, _databases.PlatformOwner);
        await _fleet.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _databases.DisposeAsync();
    }

    [Fact]
    public async Task The_given_databases_replace_the_embedded_cluster()
    {
        var model = _fleet.App.Services.GetRequiredService<Aspire.Hosting.ApplicationModel.DistributedApplicationModel>();
        Assert.DoesNotContain(model.Resources, r => r.Name == "postgres");
        Assert.Equal(_databases.EncimapOwner, await _fleet.App.GetConnectionStringAsync("encimap"));

        // The services start side by side: the API's aggregate health (database, storage and the
        // certificate service) converges within seconds of every service reporting healthy.
        using var http = new HttpClient { BaseAddress = _fleet.Http("api") };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var health = await http.GetAsync("/s2s/v1/health");
            var body = await health.Content.ReadAsStringAsync();
            if (health.IsSuccessStatusCode || DateTime.UtcNow > deadline)
            {
                Assert.True(health.IsSuccessStatusCode, body);
                break;
            }

            await Task.Delay(500);
        }
    }

    private sealed class GivenDatabasesFleet(string encimap, string platform) : EncimapFleet
    {
        protected override IEnumerable<string> Arguments() =>
            [.. base.Arguments(), $"--ConnectionStrings:encimap={encimap}", $"--ConnectionStrings:platform={platform}"];
    }
}

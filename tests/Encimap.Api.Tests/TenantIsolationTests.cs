using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Encimap.Api.Tests;

/// <summary>A second user can neither see, change, download nor delete the first user's vaultbox: every path answers 404.</summary>
[Collection(ApiFleetCollection.Name)]
public sealed class TenantIsolationTests(ApiFixture fleet)
{
    [Fact]
    public async Task Another_users_vaultbox_is_invisible_on_every_route()
    {
        var owner = await Tenant.CreateAsync(fleet);
        var intruder = await Tenant.CreateAsync(fleet);
        using var mine = fleet.ApiClientFor(owner.UserId);
        using var theirs = fleet.ApiClientFor(intruder.UserId);
        var id = await mine.CreateVaultboxAsync(owner.Domain, "secret");
        (await mine.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials", null)).EnsureSuccessStatusCode();
        (await mine.PostAsync($"/s2s/v1/vaultboxes/{id}/smtp-credentials", null)).EnsureSuccessStatusCode();

        var attempts = new List<Func<Task<HttpResponseMessage>>>
        {
            () => theirs.GetAsync($"/s2s/v1/vaultboxes/{id}"),
            () => theirs.DeleteAsync($"/s2s/v1/vaultboxes/{id}"),
            () => theirs.PatchAsync($"/s2s/v1/vaultboxes/{id}", JsonContent.Create(new { dmarc_enforcement = "monitor" })),
            () => theirs.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials", null),
            () => theirs.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials/regenerate", null),
            () => theirs.GetAsync($"/s2s/v1/vaultboxes/{id}/smtp-credentials"),
            () => theirs.PostAsync($"/s2s/v1/vaultboxes/{id}/smtp-credentials/regenerate", null),
            () => theirs.DeleteAsync($"/s2s/v1/vaultboxes/{id}/smtp-credentials"),
            () => theirs.PostJsonAsync("/s2s/v1/p12", new { vaultbox_id = id, password = "long enough password" }),
            () => theirs.PostJsonAsync("/s2s/v1/bundle", new { vaultbox_id = id, password = "long enough password" }),
            () => theirs.PostJsonAsync("/s2s/v1/generate-certificate", new { email = $"secret@{owner.Domain}", days = 30 }),
        };
        foreach (var attempt in attempts)
        {
            using var response = await attempt();
            Assert.Equal("not_found", await response.ErrorCodeAsync(HttpStatusCode.NotFound));
        }

        using var list = await theirs.GetAsync("/s2s/v1/vaultboxes");
        Assert.Empty((await list.DataAsync()).EnumerateArray());
        using var usage = await theirs.GetAsync("/s2s/v1/usage");
        Assert.Empty((await usage.DataAsync()).EnumerateArray());

        // Nothing changed for the owner: same credentials, one certificate, the vaultbox still there.
        using var still = await mine.GetAsync($"/s2s/v1/vaultboxes/{id}");
        Assert.Equal(JsonValueKind.Null, (await still.DataAsync()).GetProperty("dmarc_enforcement").ValueKind);
        using var smtp = await mine.GetAsync($"/s2s/v1/vaultboxes/{id}/smtp-credentials");
        await smtp.DataAsync();
    }

    [Fact]
    public async Task Malformed_ids_read_as_absent()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);

        using var response = await http.GetAsync("/s2s/v1/vaultboxes/not-a-guid");
        using var p12 = await http.PostJsonAsync("/s2s/v1/p12", new { vaultbox_id = "1 OR 1=1", password = "long enough password" });

        Assert.Equal("not_found", await response.ErrorCodeAsync(HttpStatusCode.NotFound));
        Assert.Equal("not_found", await p12.ErrorCodeAsync(HttpStatusCode.NotFound));
    }
}

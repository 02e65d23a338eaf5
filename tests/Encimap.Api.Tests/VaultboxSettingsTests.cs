using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Encimap.Api.Tests;

/// <summary><c>PATCH /s2s/v1/vaultboxes/{id}</c>: the per-vaultbox DMARC enforcement.</summary>
[Collection(ApiFleetCollection.Name)]
public sealed class VaultboxSettingsTests(ApiFixture fleet)
{
    [Fact]
    public async Task Dmarc_enforcement_is_set_read_back_stored_and_reset_to_the_default()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        var id = await http.CreateVaultboxAsync(tenant.Domain, "policy");

        using var initial = await http.GetAsync($"/s2s/v1/vaultboxes/{id}");
        Assert.Equal(JsonValueKind.Null, (await initial.DataAsync()).GetProperty("dmarc_enforcement").ValueKind);

        foreach (var (sent, stored) in new[] { ("monitor", "monitor"), ("Quarantine", "quarantine"), ("enforce", "enforce") })
        {
            using var patched = await PatchAsync(http, id, $$"""{"dmarc_enforcement": "{{sent}}"}""");
            Assert.Equal(stored, (await patched.DataAsync()).GetProperty("dmarc_enforcement").GetString());
            Assert.Equal(stored, await StoredAsync(id));
        }

        using var listed = await http.GetAsync("/s2s/v1/vaultboxes");
        Assert.Equal("enforce", Assert.Single((await listed.DataAsync()).EnumerateArray()).GetProperty("dmarc_enforcement").GetString());

        using var reset = await PatchAsync(http, id, """{"dmarc_enforcement": null}""");
        Assert.Equal(JsonValueKind.Null, (await reset.DataAsync()).GetProperty("dmarc_enforcement").ValueKind);
        Assert.Null(await StoredAsync(id));
    }

    [Theory]
    [InlineData("""{"dmarc_enforcement": "reject"}""", "dmarc_enforcement must be one of enforce, quarantine, monitor")]
    [InlineData("""{"dmarc_enforcement": 1}""", "dmarc_enforcement must be one of")]
    [InlineData("""{"dmarc_enforcement": ""}""", "dmarc_enforcement must be one of")]
    [InlineData("""{"dmarc_enforcment": "monitor"}""", "unknown setting 'dmarc_enforcment'")]
    [InlineData("""{}""", "nothing to change")]
    public async Task Bad_settings_are_refused_with_400_and_change_nothing(string body, string message)
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        var id = await http.CreateVaultboxAsync(tenant.Domain, "strict");
        using (var set = await PatchAsync(http, id, """{"dmarc_enforcement": "quarantine"}"""))
        {
            await set.DataAsync();
        }

        using var refused = await PatchAsync(http, id, body);

        var error = (await refused.EnvelopeAsync(HttpStatusCode.BadRequest)).GetProperty("error");
        Assert.Equal("validation_error", error.GetProperty("code").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString());
        Assert.Equal("quarantine", await StoredAsync(id));
    }

    [Fact]
    public async Task A_body_that_is_not_a_json_object_is_refused()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        var id = await http.CreateVaultboxAsync(tenant.Domain, "shape");

        using var array = await PatchAsync(http, id, """["monitor"]""");
        using var text = await PatchAsync(http, id, "dmarc_enforcement=monitor", "text/plain");
        using var unknown = await PatchAsync(http, Guid.NewGuid(), """{"dmarc_enforcement": "monitor"}""");

        Assert.Equal(HttpStatusCode.BadRequest, array.StatusCode);
        Assert.Equal("unsupported_media_type", await text.ErrorCodeAsync(HttpStatusCode.UnsupportedMediaType));
        Assert.Equal("not_found", await unknown.ErrorCodeAsync(HttpStatusCode.NotFound));
        Assert.Null(await StoredAsync(id));
    }

    private static Task<HttpResponseMessage> PatchAsync(HttpClient http, Guid id, string body, string contentType = "application/json") =>
        http.PatchAsync($"/s2s/v1/vaultboxes/{id}", new StringContent(body, Encoding.UTF8, contentType));

    private async Task<string?> StoredAsync(Guid id)
    {
        await using var connection = new NpgsqlConnection(fleet.EncimapOwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT dmarc_enforcement FROM vaultboxes WHERE id = $1", connection);
        command.Parameters.AddWithValue(id);
        return await command.ExecuteScalarAsync() as string;
    }
}

using System.Net;
using Npgsql;

namespace Encimap.Api.Tests;

[Collection(ApiFleetCollection.Name)]
public sealed class VaultboxTests(ApiFixture fleet)
{
    [Fact]
    public async Task Create_list_get_and_delete_a_vaultbox()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);

        using var created = await http.PostJsonAsync("/s2s/v1/vaultboxes",
            new { user_id = tenant.UserId, domain = tenant.Domain, name = "Cat's box", alias = "Cat" });
        var data = await created.DataAsync(HttpStatusCode.Created);
        var id = data.GetProperty("vaultbox_id").GetGuid();
        Assert.Equal("cat", data.GetProperty("alias").GetString());
        Assert.Equal(tenant.Domain, data.GetProperty("domain").GetString());
        Assert.Equal("Cat's box", data.GetProperty("name").GetString());

        using var list = await http.GetAsync("/s2s/v1/vaultboxes");
        var listed = Assert.Single((await list.DataAsync()).EnumerateArray());
        Assert.Equal(id, listed.GetProperty("id").GetGuid());
        Assert.True(listed.GetProperty("has_certs").GetBoolean());
        Assert.Equal(0, listed.GetProperty("message_count").GetInt64());
        Assert.True(listed.TryGetProperty("created_at", out _));

        using var one = await http.GetAsync($"/s2s/v1/vaultboxes/{id}");
        Assert.Equal($"cat@{tenant.Domain}", (await one.DataAsync()).GetProperty("address").GetString());

        using var deleted = await http.DeleteAsync($"/s2s/v1/vaultboxes/{id}");
        Assert.True((await deleted.DataAsync()).GetProperty("deleted").GetBoolean());
        using var gone = await http.GetAsync($"/s2s/v1/vaultboxes/{id}");
        Assert.Equal("not_found", await gone.ErrorCodeAsync(HttpStatusCode.NotFound));
        using var again = await http.DeleteAsync($"/s2s/v1/vaultboxes/{id}");
        Assert.Equal("not_found", await again.ErrorCodeAsync(HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task An_address_is_unique_whatever_its_case()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        await http.CreateVaultboxAsync(tenant.Domain, "fox");

        using var duplicate = await http.PostJsonAsync("/s2s/v1/vaultboxes", new { domain = tenant.Domain.ToUpperInvariant(), alias = "FOX" });

        Assert.Equal("address_taken", await duplicate.ErrorCodeAsync(HttpStatusCode.Conflict));
        using var list = await http.GetAsync("/s2s/v1/vaultboxes");
        Assert.Single((await list.DataAsync()).EnumerateArray());
    }

    [Fact]
    public async Task A_new_vaultbox_has_its_route_folders_and_an_active_certificate()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        var id = await http.CreateVaultboxAsync(tenant.Domain, "bob");

        await using var connection = new NpgsqlConnection(fleet.EncimapOwnerConnectionString);
        await connection.OpenAsync();
        Assert.Equal(id, await ScalarAsync<Guid>(connection, "SELECT vaultbox_id FROM mail_routes WHERE address = $1 AND active", $"bob@{tenant.Domain}"));
        Assert.Equal(
            "Archive,Drafts,INBOX,Junk,Sent,Trash",
            await ScalarAsync<string>(connection, "SELECT string_agg(name, ',' ORDER BY name) FROM mailboxes WHERE vaultbox_id = $1", id));
        Assert.Equal(1L, await ScalarAsync<long>(connection, "SELECT count(*) FROM vaultbox_certs WHERE vaultbox_id = $1 AND status = 'active'", id));
        Assert.Equal(1L, await ScalarAsync<long>(connection,
            "SELECT count(*) FROM vaultbox_private_keys k JOIN vaultbox_certs c ON c.id = k.cert_id WHERE c.vaultbox_id = $1", id));
    }

    [Fact]
    public async Task Deleting_a_vaultbox_leaves_no_row_of_it_in_any_table()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        var id = await http.CreateVaultboxAsync(tenant.Domain, "gone");
        (await http.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials", null)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/s2s/v1/vaultboxes/{id}/smtp-credentials", null)).EnsureSuccessStatusCode();
        (await http.PostJsonAsync("/s2s/v1/generate-certificate", new { email = $"gone@{tenant.Domain}", days = 30 })).EnsureSuccessStatusCode();
        await using var connection = new NpgsqlConnection(fleet.EncimapOwnerConnectionString);
        await connection.OpenAsync();
        await StoredRows.AddMessageAndLogsAsync(connection, id);
        var certIds = await StoredRows.CertificateIdsAsync(connection, id);
        Assert.Equal(2, certIds.Count);
        Assert.NotEmpty(await StoredRows.ReferencingRowsAsync(connection, id, certIds));

        using var deleted = await http.DeleteAsync($"/s2s/v1/vaultboxes/{id}");
        await deleted.DataAsync();

        Assert.Empty(await StoredRows.ReferencingRowsAsync(connection, id, certIds));
        Assert.Equal(0L, await ScalarAsync<long>(connection, "SELECT count(*) FROM mail_routes WHERE address = $1", $"gone@{tenant.Domain}"));
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }
}

using Npgsql;

namespace Encimap.Api.Tests;

[Collection(ApiFleetCollection.Name)]
public sealed class UsageTests(ApiFixture fleet)
{
    [Fact]
    public async Task Usage_counts_messages_and_bytes_per_vaultbox()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        var busy = await http.CreateVaultboxAsync(tenant.Domain, "busy");
        var idle = await http.CreateVaultboxAsync(tenant.Domain, "idle");
        await using (var connection = new NpgsqlConnection(fleet.EncimapOwnerConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, size_bytes, content, received_at)
                SELECT $1, id, n, 1, 100 * n, decode(repeat('61', 100 * n), 'hex'), ('2026-01-0' || n || ' 10:00Z')::timestamptz
                FROM mailboxes, generate_series(1, 3) n WHERE vaultbox_id = $1 AND name = 'INBOX'
                """,
                connection);
            insert.Parameters.AddWithValue(busy);
            await insert.ExecuteNonQueryAsync();
        }

        using var response = await http.GetAsync("/s2s/v1/usage");
        var rows = (await response.DataAsync()).EnumerateArray().ToDictionary(r => r.GetProperty("vaultbox_id").GetGuid());

        Assert.Equal(2, rows.Count);
        Assert.Equal(3, rows[busy].GetProperty("message_count").GetInt64());
        Assert.Equal(600, rows[busy].GetProperty("total_bytes").GetInt64());
        Assert.Equal(new DateTimeOffset(2026, 1, 3, 10, 0, 0, TimeSpan.Zero), rows[busy].GetProperty("last_received").GetDateTimeOffset());
        Assert.Equal("busy", rows[busy].GetProperty("alias").GetString());
        Assert.Equal(0, rows[idle].GetProperty("message_count").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, rows[idle].GetProperty("last_received").ValueKind);

        using var list = await http.GetAsync($"/s2s/v1/vaultboxes/{busy}");
        Assert.Equal(3, (await list.DataAsync()).GetProperty("message_count").GetInt64());
    }
}

using Npgsql;

namespace Encimap.Gateway.Tests;

/// <summary>A platform user with a verified domain of its own, made for one test.</summary>
public sealed record Tenant(Guid UserId, string Domain)
{
    public static async Task<Tenant> CreateAsync(GatewayFleet fleet)
    {
        var userId = Guid.NewGuid();
        var domain = $"t{Guid.NewGuid():N}"[..13] + ".example";
        await using var connection = new NpgsqlConnection(fleet.Databases.PlatformOwner);
        await connection.OpenAsync();
        await using (var user = new NpgsqlCommand("INSERT INTO users (id, email) VALUES ($1, $2)", connection))
        {
            user.Parameters.AddWithValue(userId);
            user.Parameters.AddWithValue($"owner@{domain}");
            await user.ExecuteNonQueryAsync();
        }

        await using var owned = new NpgsqlCommand("INSERT INTO domains (user_id, domain, verification_status) VALUES ($1, $2, 'verified')", connection);
        owned.Parameters.AddWithValue(userId);
        owned.Parameters.AddWithValue(domain);
        await owned.ExecuteNonQueryAsync();
        return new Tenant(userId, domain);
    }

    /// <summary>Adds <paramref name="count"/> vaultboxes straight into the database (for large list responses).</summary>
    public async Task AddVaultboxesAsync(GatewayFleet fleet, int count)
    {
        await using var connection = new NpgsqlConnection(fleet.Databases.EncimapOwner);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO vaultboxes (user_id, domain, alias, name) SELECT $1, $2, 'bulk-' || n, 'Bulk box number ' || n FROM generate_series(1, $3) n",
            connection);
        insert.Parameters.AddWithValue(UserId);
        insert.Parameters.AddWithValue(Domain);
        insert.Parameters.AddWithValue(count);
        await insert.ExecuteNonQueryAsync();
    }
}

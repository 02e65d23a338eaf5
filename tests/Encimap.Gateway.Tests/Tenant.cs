using Encimap.Testing;
using Npgsql;

namespace Encimap.Gateway.Tests;

/// <summary>A platform user with a verified domain of its own, made for one test.</summary>
public sealed record Tenant(Guid UserId, string Domain)
{
    public static async Task<Tenant> CreateAsync(EncimapFleet fleet)
    {
        var (userId, domain) = await fleet.AddUserWithDomainAsync();
        return new Tenant(userId, domain);
    }

    /// <summary>Adds <paramref name="count"/> vaultboxes straight into the database (for large list responses).</summary>
    public async Task AddVaultboxesAsync(EncimapFleet fleet, int count)
    {
        await using var connection = new NpgsqlConnection(fleet.EncimapOwnerConnectionString);
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

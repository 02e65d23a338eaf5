using Npgsql;

namespace Encimap.Api.Tests;

/// <summary>A platform user with a verified domain of its own, made for one test.</summary>
public sealed record Tenant(Guid UserId, string Domain)
{
    public static async Task<Tenant> CreateAsync(ApiFleet fleet, string verification = "verified")
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

        var tenant = new Tenant(userId, domain);
        await tenant.InsertDomainAsync(connection, domain, verification);
        return tenant;
    }

    public async Task<string> AddDomainAsync(ApiFleet fleet, string verification)
    {
        var domain = $"d{Guid.NewGuid():N}"[..13] + ".example";
        await using var connection = new NpgsqlConnection(fleet.Databases.PlatformOwner);
        await connection.OpenAsync();
        await InsertDomainAsync(connection, domain, verification);
        return domain;
    }

    private async Task InsertDomainAsync(NpgsqlConnection connection, string domain, string verification)
    {
        await using var command = new NpgsqlCommand("INSERT INTO domains (user_id, domain, verification_status) VALUES ($1, $2, $3)", connection);
        command.Parameters.AddWithValue(UserId);
        command.Parameters.AddWithValue(domain);
        command.Parameters.AddWithValue(verification);
        await command.ExecuteNonQueryAsync();
    }
}

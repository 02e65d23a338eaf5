using Encimap.Api.Infrastructure;
using Npgsql;

namespace Encimap.Api.Platform;

/// <summary>What the API asks the platform database: does this user exist, own and have verified this domain.</summary>
public sealed class PlatformDirectory([FromKeyedServices(ApiDatabases.Platform)] NpgsqlDataSource platform)
{
    public async Task<DomainStanding> GetDomainStandingAsync(Guid userId, string domain, CancellationToken cancellationToken)
    {
        await using var connection = await platform.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT EXISTS (SELECT 1 FROM users WHERE id = $1),
                   (SELECT verification_status FROM domains WHERE user_id = $1 AND lower(domain) = lower($2))
            """;
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue(domain);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (!reader.GetBoolean(0))
        {
            return DomainStanding.UnknownUser;
        }

        return reader.IsDBNull(1) ? DomainStanding.NotOwned
            : reader.GetString(1) == "verified" ? DomainStanding.Verified
            : DomainStanding.NotVerified;
    }
}

using Encimap.Api.Infrastructure;
using Npgsql;

namespace Encimap.Api.Usage;

/// <summary><c>GET /s2s/v1/usage</c>: per vaultbox of the caller, message count, bytes and last delivery.</summary>
public static class UsageEndpoints
{
    public static RouteGroupBuilder MapUsage(this RouteGroupBuilder api)
    {
        api.MapGet("/usage", async (Caller caller, [FromKeyedServices(ApiDatabases.Encimap)] NpgsqlDataSource database, CancellationToken ct) =>
        {
            await using var connection = await database.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand(
                """
                SELECT v.id, v.alias, v.domain, count(m.id), coalesce(sum(m.size_bytes), 0)::bigint, max(m.received_at)
                FROM vaultboxes v LEFT JOIN messages m ON m.vaultbox_id = v.id
                WHERE v.user_id = $1
                GROUP BY v.id
                ORDER BY v.created_at, v.id
                """,
                connection);
            command.Parameters.AddWithValue(caller.UserId);
            var rows = new List<object>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new
                {
                    vaultbox_id = reader.GetGuid(0),
                    alias = reader.GetString(1),
                    domain = reader.GetString(2),
                    message_count = reader.GetInt64(3),
                    total_bytes = reader.GetInt64(4),
                    last_received = reader.IsDBNull(5) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(5),
                });
            }

            return ApiResults.Ok(rows);
        });
        return api;
    }
}

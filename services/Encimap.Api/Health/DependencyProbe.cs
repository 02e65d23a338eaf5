using Encimap.Api.Infrastructure;
using Npgsql;

namespace Encimap.Api.Health;

/// <summary>
/// Probes what the API depends on, each with a short timeout: the encimap database, the message
/// storage (which lives in it: the messages table must answer), the MTA (the SMTP gateway) and the
/// certificate service, each of the last two when the fleet has one.
/// </summary>
public sealed class DependencyProbe(
    [FromKeyedServices(ApiDatabases.Encimap)] NpgsqlDataSource database,
    IHttpClientFactory http,
    IConfiguration configuration)
{
    /// <summary>The HttpClient that asks the peers' <c>/health</c> (registered without retries).</summary>
    public const string HttpClientName = "health";

    public const string NotConfigured = "not_configured";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<ApiHealthReport> ProbeAsync(CancellationToken cancellationToken)
    {
        var parts = new (string Name, Task<string> State)[]
        {
            ("database", StateAsync(QueryAsync("SELECT 1", cancellationToken), "connected", "disconnected")),
            ("storage", StateAsync(QueryAsync("SELECT count(*) FROM (SELECT 1 FROM messages LIMIT 1) probe", cancellationToken), "accessible", "inaccessible")),
            ("mta", PeerStateAsync("smtp", cancellationToken)),
            ("certificates", PeerStateAsync("certificates", cancellationToken)),
        };
        await Task.WhenAll(parts.Select(p => p.State));

        var services = parts.ToDictionary(p => p.Name, p => p.State.Result);
        var failing = parts.Where(p => p.State.Result is not ("connected" or "accessible" or "running" or NotConfigured)).Select(p => p.Name).ToList();
        return new ApiHealthReport(services, failing);
    }

    private static async Task<string> StateAsync(Task<bool> check, string working, string failing) =>
        await check ? working : failing;

    private async Task<bool> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var connection = await database.OpenConnectionAsync(timeout.Token);
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteScalarAsync(timeout.Token);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>"running" when the peer's <c>/health</c> answers 2xx, "unreachable" otherwise.</summary>
    private async Task<string> PeerStateAsync(string service, CancellationToken cancellationToken)
    {
        if (!configuration.GetSection($"services:{service}").Exists())
        {
            return NotConfigured;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await http.CreateClient(HttpClientName).GetAsync($"http://{service}/health", timeout.Token);
            return response.IsSuccessStatusCode ? "running" : "unreachable";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            return "unreachable";
        }
    }
}

using Encimap.Api.Infrastructure;
using Npgsql;

namespace Encimap.Api.Health;

/// <summary>
/// Probes what the API depends on, each with a short timeout: the encimap database, the message
/// storage (which lives in it: the messages table must answer), the certificate service and the
/// MTA (the SMTP gateway, when the fleet has one). Reports "ok", "down" or "not_configured".
/// </summary>
public sealed class DependencyProbe(EncimapDataSource database, IHttpClientFactory http, IConfiguration configuration)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<IReadOnlyDictionary<string, string>> ProbeAsync(CancellationToken cancellationToken)
    {
        var checks = new Dictionary<string, Task<string>>
        {
            ["database"] = QueryAsync("SELECT 1", cancellationToken),
            ["storage"] = QueryAsync("SELECT count(*) FROM (SELECT 1 FROM messages LIMIT 1) probe", cancellationToken),
            ["certificates"] = HttpHealthAsync("certificates", cancellationToken),
            ["mta"] = HttpHealthAsync("smtp", cancellationToken),
        };
        await Task.WhenAll(checks.Values);
        return checks.ToDictionary(c => c.Key, c => c.Value.Result);
    }

    private async Task<string> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var connection = await database.OpenAsync(timeout.Token);
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteScalarAsync(timeout.Token);
            return "ok";
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            return "down";
        }
    }

    private async Task<string> HttpHealthAsync(string service, CancellationToken cancellationToken)
    {
        if (!configuration.GetSection($"services:{service}").Exists())
        {
            return "not_configured";
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await http.CreateClient("health").GetAsync($"http://{service}/health", timeout.Token);
            return response.IsSuccessStatusCode ? "ok" : "down";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            return "down";
        }
    }
}

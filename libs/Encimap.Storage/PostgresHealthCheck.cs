using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Encimap.Storage;

/// <summary>Readiness (<c>/health</c>): a database answers <c>SELECT 1</c> within a short timeout.</summary>
public sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    /// <summary>How long the database may take to answer before the check fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"the database did not answer within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            // The exception type only: messages can name hosts and users.
            return new HealthCheckResult(context.Registration.FailureStatus, $"the database is unreachable ({e.GetType().Name})");
        }
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Encimap.Certificates;

/// <summary>Keeps <see cref="RsaKeyPool"/> full in the background.</summary>
public sealed partial class RsaKeyPoolRefill(RsaKeyPool pool, ILogger<RsaKeyPoolRefill> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (pool.Capacity == 0)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await pool.RunRefillAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (Exception e)
            {
                LogRefillFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Refilling the RSA key pool failed; retrying in 5 s")]
    private static partial void LogRefillFailed(ILogger logger, Exception exception);
}

using Encimap.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Encimap.Certificates;

/// <summary>Runs <see cref="CertificateRenewal"/> shortly after start, then every <see cref="CertificateOptions.RenewalInterval"/>.</summary>
public sealed partial class CertificateRenewalService(
    CertificateRenewal renewal,
    IOptions<CertificateOptions> options,
    TimeProvider time,
    ILogger<CertificateRenewalService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(options.Value.RenewalFirstRunDelay, time, stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(options.Value.RenewalInterval, time);
            do
            {
                try
                {
                    await renewal.RunOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database may be briefly unavailable; the next pass tries again.
                    LogPassFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A certificate renewal pass failed; the next one runs at the usual interval")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}

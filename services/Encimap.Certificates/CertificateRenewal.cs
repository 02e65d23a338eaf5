using System.Diagnostics;
using Encimap.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.Certificates;

/// <summary>
/// One renewal pass: marks active certificates past their end as expired, then gives every
/// vaultbox whose newest certificate ends within <see cref="CertificateOptions.RenewBeforeDays"/>
/// a successor. The old certificate stays active until it expires, so mail is encrypted to both
/// meanwhile. Safe to run on several instances at once: each vaultbox is renewed under a row lock,
/// after checking again that it is still due.
/// </summary>
public sealed partial class CertificateRenewal(
    [FromKeyedServices(CertificatesApplication.ConnectionStringName)] NpgsqlDataSource dataSource,
    CertificateIssuer issuer,
    IOptions<CertificateOptions> options,
    CertificateTelemetry telemetry,
    TimeProvider time,
    ILogger<CertificateRenewal> logger)
{
    /// <summary>
    /// One pass. A pass that finds nothing to do leaves no trace (its queries have no parent span and
    /// are not exported): the span <c>certificates.renewal_pass</c> starts once there is work, or
    /// when the pass fails, and then carries an error status.
    /// </summary>
    public async Task<RenewalPassResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        Activity? activity = null;
        try
        {
            var settings = options.Value;
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

            var expired = await CertificateRecords.MarkExpiredAsync(connection, null, cancellationToken).ConfigureAwait(false);
            var renewBefore = time.GetUtcNow().AddDays(settings.RenewBeforeDays);
            var candidates = await CertificateRecords.ListRenewalCandidatesAsync(connection, renewBefore, settings.RenewalBatchSize, cancellationToken).ConfigureAwait(false);
            if (expired == 0 && candidates.Count == 0)
            {
                return new RenewalPassResult(0, 0, 0);
            }

            activity = CertificateTelemetry.Start("certificates.renewal_pass");
            if (expired > 0)
            {
                telemetry.MarkedExpired.Add(expired);
                LogExpired(logger, expired);
            }

            int renewed = 0, failed = 0;
            foreach (var candidate in candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    if (await RenewAsync(connection, candidate, renewBefore, cancellationToken).ConfigureAwait(false))
                    {
                        renewed++;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One vaultbox's failure (e.g. an address that no longer validates) must not stop the others.
                    failed++;
                    LogRenewalFailed(logger, e, candidate.VaultboxId);
                }
            }

            activity?.SetTag("encimap.renewal.renewed", renewed);
            activity?.SetTag("encimap.renewal.expired", expired);
            activity?.SetTag("encimap.renewal.failed", failed);
            if (failed > 0)
            {
                activity?.SetStatus(ActivityStatusCode.Error, $"{failed} of {candidates.Count} renewals failed");
            }

            return new RenewalPassResult(renewed, expired, failed);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            activity ??= CertificateTelemetry.Start("certificates.renewal_pass");
            CertificateTelemetry.Fail(activity, e);
            throw;
        }
        finally
        {
            activity?.Dispose();
        }
    }

    private async Task<bool> RenewAsync(NpgsqlConnection connection, RenewalCandidate candidate, DateTimeOffset renewBefore, CancellationToken cancellationToken)
    {
        using var activity = CertificateTelemetry.Start("certificates.renew", candidate.VaultboxId);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (!await CertificateRecords.TryLockForRenewalAsync(connection, transaction, candidate.VaultboxId, renewBefore, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
            var issued = issuer.Issue(candidate.Address, reason: "renewal");
            var certificateId = await CertificateRecords.InsertAsync(connection, transaction, candidate.VaultboxId, issued, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            telemetry.Renewed.Add(1);
            LogRenewed(logger, candidate.VaultboxId, certificateId, candidate.NewestNotAfter, issued.NotAfter.ToDateTimeOffset());
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            CertificateTelemetry.Fail(activity, e);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Marked {Count} certificate(s) expired")]
    private static partial void LogExpired(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Renewed the certificate of vaultbox {VaultboxId}: new certificate {CertificateId}; the previous one ends {PreviousNotAfter:o}, the new one {NotAfter:o}")]
    private static partial void LogRenewed(ILogger logger, Guid vaultboxId, Guid certificateId, DateTimeOffset previousNotAfter, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Error, Message = "Renewing the certificate of vaultbox {VaultboxId} failed")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception, Guid vaultboxId);
}

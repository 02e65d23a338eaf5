using Encimap.Api.Infrastructure;
using Encimap.Contracts.Certificates;
using Encimap.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Encimap.Api.Certificates;

/// <summary>
/// Asks the certificate service to mint a certificate (with its key already wrapped) and stores
/// both in the caller's transaction, so a certificate is either fully stored or not at all.
/// </summary>
public sealed class CertificateIssuer(CertificateServiceClient certificates, IOptions<ApiOptions> options)
{
    public async Task<CertificateSummary> IssueAndStoreAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Guid vaultboxId,
        string address,
        int? days,
        CancellationToken cancellationToken)
    {
        var issued = await certificates.IssueAsync(
            new IssueCertificateRequest { Email = address, ValidityDays = days ?? options.Value.DefaultCertificateDays },
            options.Value.CertificateTimeout,
            cancellationToken);
        var id = await CertificateRecords.InsertAsync(connection, transaction, vaultboxId, issued, cancellationToken);
        return new CertificateSummary(id, issued.SerialNumber, issued.ThumbprintSha256, issued.NotBefore.ToDateTimeOffset(), issued.NotAfter.ToDateTimeOffset());
    }
}

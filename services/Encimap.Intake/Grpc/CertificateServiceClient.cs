using Encimap.Contracts.Certificates;
using Encimap.Intake.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Options;
using CertificatesContract = Encimap.Contracts.Certificates.Certificates;

namespace Encimap.Intake.Grpc;

/// <summary>
/// The certificate service as the delivery uses it: the generated gRPC client under the
/// configured deadline (<see cref="IntakeOptions.CertificateLookupTimeout"/>), its statuses turned
/// into answers (no certificate) or <see cref="CertificateServiceUnavailableException"/>.
/// </summary>
public sealed class CertificateServiceClient(CertificatesContract.CertificatesClient client, IOptions<IntakeOptions> options)
{
    /// <summary>The vaultbox's active certificates; none when it has none.</summary>
    public async Task<IReadOnlyList<RecipientCertificate>> GetRecipientCertificatesAsync(Guid vaultboxId, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await client.GetRecipientCertificatesAsync(
                new GetRecipientCertificatesRequest { VaultboxId = vaultboxId.ToString() },
                deadline: DateTime.UtcNow + options.Value.CertificateLookupTimeout,
                cancellationToken: cancellationToken);
            return reply.Certificates;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return [];
        }
        catch (RpcException e)
        {
            throw new CertificateServiceUnavailableException($"the certificate service answered {e.StatusCode}: {e.Status.Detail}", e);
        }
    }
}

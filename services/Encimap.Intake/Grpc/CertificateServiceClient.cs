using System.Collections.Concurrent;
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
/// Deliveries that arrive together for one vaultbox whose certificates are not cached yet (a
/// burst of mail, a group commit) share one call: fifty messages are one lookup, not fifty calls
/// that a certificate service just (re)started would have to answer at once.
/// </summary>
public sealed class CertificateServiceClient(CertificatesContract.CertificatesClient client, IOptions<IntakeOptions> options)
{
    private readonly ConcurrentDictionary<Guid, Lazy<Task<IReadOnlyList<RecipientCertificate>>>> _inFlight = new();

    /// <summary>The vaultbox's active certificates; none when it has none.</summary>
    public async Task<IReadOnlyList<RecipientCertificate>> GetRecipientCertificatesAsync(Guid vaultboxId, CancellationToken cancellationToken)
    {
        var lookup = _inFlight.GetOrAdd(vaultboxId, id => new Lazy<Task<IReadOnlyList<RecipientCertificate>>>(() => LookUpAsync(id)));
        try
        {
            // The shared call is bounded by its deadline; a caller that gives up stops waiting.
            return await lookup.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            _inFlight.TryRemove(KeyValuePair.Create(vaultboxId, lookup));
        }
    }

    private async Task<IReadOnlyList<RecipientCertificate>> LookUpAsync(Guid vaultboxId)
    {
        try
        {
            var reply = await client.GetRecipientCertificatesAsync(
                new GetRecipientCertificatesRequest { VaultboxId = vaultboxId.ToString() },
                deadline: DateTime.UtcNow + options.Value.CertificateLookupTimeout,
                cancellationToken: CancellationToken.None);
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

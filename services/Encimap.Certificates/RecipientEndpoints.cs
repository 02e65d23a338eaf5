using Encimap.Contracts.Certificates;
using Encimap.Grpc;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.Certificates;

/// <summary><c>GetRecipientCertificates</c>: the certificates that mail to a vaultbox is encrypted to.</summary>
public static class RecipientEndpoints
{
    public static void MapRecipients(IEndpointRouteBuilder app)
    {
        var vault = app.ServiceProvider.GetRequiredService<CertificateVault>();
        app.MapGrpcUnary(CertificatesMethods.GetRecipientCertificates, async (request, context) =>
        {
            var vaultboxId = RequestValidation.ParseVaultboxId(request.VaultboxId);
            using var activity = CertificateTelemetry.Start("certificates.get_recipients", vaultboxId);
            var certificates = await vault.GetActiveAsync(vaultboxId, context.CancellationToken);
            if (certificates.Count == 0)
            {
                throw new GrpcStatusException(StatusCode.NotFound, "the vaultbox has no active certificate");
            }
            activity?.SetTag("encimap.certificates.count", certificates.Count);
            var reply = new GetRecipientCertificatesReply();
            foreach (var certificate in certificates)
            {
                reply.Certificates.Add(new RecipientCertificate
                {
                    CertificateId = certificate.Id.ToString(),
                    CertificateDer = ByteString.CopyFrom(certificate.CertificateDer),
                    NotAfter = Timestamp.FromDateTimeOffset(certificate.NotAfter),
                });
            }
            return reply;
        });
    }
}

using Encimap.Contracts.Certificates;
using Encimap.Grpc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.Certificates;

/// <summary><c>IssueCertificate</c>: mints, stores nothing (the caller stores in its own transaction).</summary>
public static class IssuanceEndpoints
{
    public static void MapIssuance(IEndpointRouteBuilder app)
    {
        var issuer = app.ServiceProvider.GetRequiredService<CertificateIssuer>();
        app.MapGrpcUnary(CertificatesMethods.IssueCertificate, (request, context) =>
        {
            try
            {
                return Task.FromResult(issuer.Issue(request.Email, request.ValidityDays, request.KeySizeBits));
            }
            catch (InvalidCertificateRequestException e)
            {
                throw new GrpcStatusException(StatusCode.InvalidArgument, e.Message);
            }
        });
    }
}

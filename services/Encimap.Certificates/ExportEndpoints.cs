using Encimap.Contracts.Certificates;
using Encimap.Grpc;
using Google.Protobuf;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.Certificates;

/// <summary><c>ExportPkcs12</c> and <c>ExportBundle</c>: the only calls that unwrap private keys.</summary>
public static class ExportEndpoints
{
    public static void MapExports(IEndpointRouteBuilder app)
    {
        var vault = app.ServiceProvider.GetRequiredService<CertificateVault>();
        app.MapGrpcUnary(CertificatesMethods.ExportPkcs12, async (request, context) =>
        {
            var (vaultboxId, profile) = Validate(request);
            var pkcs12 = await vault.ExportPkcs12Async(vaultboxId, request.Password, profile, context.CancellationToken)
                ?? throw NoCertificate();
            return new ExportPkcs12Reply { Pkcs12 = ByteString.CopyFrom(pkcs12) };
        });
        app.MapGrpcUnary(CertificatesMethods.ExportBundle, async (request, context) =>
        {
            var (vaultboxId, profile) = Validate(request);
            var zip = await vault.ExportBundleAsync(vaultboxId, request.Password, profile, context.CancellationToken)
                ?? throw NoCertificate();
            return new ExportBundleReply { Zip = ByteString.CopyFrom(zip) };
        });
    }

    private static (Guid VaultboxId, Pkcs12Profile Profile) Validate(ExportRequest request)
    {
        var vaultboxId = RequestValidation.ParseVaultboxId(request.VaultboxId);
        if (request.Password.Length < Pkcs12Exporter.MinPasswordLength)
        {
            throw new GrpcStatusException(StatusCode.InvalidArgument, $"password must be at least {Pkcs12Exporter.MinPasswordLength} characters");
        }
        if (request.Profile is not (Pkcs12Profile.Compatible or Pkcs12Profile.Modern))
        {
            throw new GrpcStatusException(StatusCode.InvalidArgument, "unknown profile");
        }
        return (vaultboxId, request.Profile);
    }

    private static GrpcStatusException NoCertificate() =>
        new(StatusCode.NotFound, "the vaultbox has no active certificate");
}

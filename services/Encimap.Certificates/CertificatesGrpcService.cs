using Encimap.Certificates.Dkim;
using Encimap.Contracts.Certificates;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using CertificatesContract = Encimap.Contracts.Certificates.Certificates;

namespace Encimap.Certificates;

/// <summary>
/// <c>encimap.certificates.v1.Certificates</c> (contracts/protos/certificates.proto): checks the
/// requests, and turns the service's refusals into gRPC statuses. Mapped behind internal-call
/// authentication.
/// </summary>
public sealed class CertificatesGrpcService(
    CertificateIssuer issuer,
    CertificateVault vault,
    DkimKeyProvider dkimKeys,
    DkimMessageSigner dkimSigner) : CertificatesContract.CertificatesBase
{
    /// <summary>Mints, stores nothing (the caller stores in its own transaction).</summary>
    public override Task<IssuedCertificate> IssueCertificate(IssueCertificateRequest request, ServerCallContext context)
    {
        try
        {
            return Task.FromResult(issuer.Issue(request.Email, request.ValidityDays, request.KeySizeBits));
        }
        catch (InvalidCertificateRequestException e)
        {
            throw InvalidArgument(e.Message);
        }
    }

    /// <summary>The certificates that mail to a vaultbox is encrypted to.</summary>
    public override async Task<GetRecipientCertificatesReply> GetRecipientCertificates(GetRecipientCertificatesRequest request, ServerCallContext context)
    {
        var vaultboxId = ParseVaultboxId(request.VaultboxId);
        using var activity = CertificateTelemetry.Start("certificates.get_recipients", vaultboxId);
        var certificates = await vault.GetActiveAsync(vaultboxId, context.CancellationToken);
        if (certificates.Count == 0)
        {
            throw NoCertificate();
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
    }

    /// <summary>One of the two calls that unwrap a private key.</summary>
    public override async Task<ExportPkcs12Reply> ExportPkcs12(ExportRequest request, ServerCallContext context)
    {
        var (vaultboxId, profile) = Validate(request);
        var pkcs12 = await vault.ExportPkcs12Async(vaultboxId, request.Password, profile, context.CancellationToken)
            ?? throw NoCertificate();
        return new ExportPkcs12Reply { Pkcs12 = ByteString.CopyFrom(pkcs12) };
    }

    /// <summary>The other call that unwraps a private key.</summary>
    public override async Task<ExportBundleReply> ExportBundle(ExportRequest request, ServerCallContext context)
    {
        var (vaultboxId, profile) = Validate(request);
        var zip = await vault.ExportBundleAsync(vaultboxId, request.Password, profile, context.CancellationToken)
            ?? throw NoCertificate();
        return new ExportBundleReply { Zip = ByteString.CopyFrom(zip) };
    }

    /// <summary>The domain's DKIM key as DNS publishes it; made on first use.</summary>
    public override async Task<DkimKey> GetDkimKey(GetDkimKeyRequest request, ServerCallContext context)
    {
        try
        {
            var key = await dkimKeys.GetOrCreateAsync(request.Domain, context.CancellationToken);
            return key.ToContract();
        }
        catch (InvalidDkimRequestException e)
        {
            throw InvalidArgument(e.Message);
        }
    }

    /// <summary>The DKIM-Signature field for a message; the private key stays here.</summary>
    public override async Task<SignDkimReply> SignDkim(SignDkimRequest request, ServerCallContext context)
    {
        try
        {
            var (field, selector) = await dkimSigner.SignAsync(request.Domain, request.Message.Memory, context.CancellationToken);
            return new SignDkimReply { SignatureField = ByteString.CopyFrom(field), Selector = selector };
        }
        catch (InvalidDkimRequestException e)
        {
            throw InvalidArgument(e.Message);
        }
    }

    private static (Guid VaultboxId, Pkcs12Profile Profile) Validate(ExportRequest request)
    {
        var vaultboxId = ParseVaultboxId(request.VaultboxId);
        if (request.Password.Length < Pkcs12Exporter.MinPasswordLength)
        {
            throw InvalidArgument($"password must be at least {Pkcs12Exporter.MinPasswordLength} characters");
        }

        if (request.Profile is not (Pkcs12Profile.Compatible or Pkcs12Profile.Modern))
        {
            throw InvalidArgument("unknown profile");
        }

        return (vaultboxId, request.Profile);
    }

    private static Guid ParseVaultboxId(string value) =>
        Guid.TryParseExact(value, "D", out var id) ? id : throw InvalidArgument("vaultbox_id must be a UUID");

    private static RpcException InvalidArgument(string detail) => new(new Status(StatusCode.InvalidArgument, detail));

    private static RpcException NoCertificate() => new(new Status(StatusCode.NotFound, "the vaultbox has no active certificate"));
}

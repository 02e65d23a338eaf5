using Encimap.Grpc;

namespace Encimap.Contracts.Certificates;

/// <summary>Client of the certificate service. Register with
/// <c>services.AddGrpcClient&lt;CertificatesClient&gt;("certificates")</c>.</summary>
public class CertificatesClient
{
    private readonly GrpcInvoker _invoker;

    public CertificatesClient(GrpcInvoker invoker)
    {
        _invoker = invoker ?? throw new ArgumentNullException(nameof(invoker));
    }

    public virtual Task<IssuedCertificate> IssueCertificateAsync(IssueCertificateRequest request, GrpcCallOptions? options = null) =>
        _invoker.UnaryAsync(CertificatesMethods.IssueCertificate, request, options);

    public virtual Task<GetRecipientCertificatesReply> GetRecipientCertificatesAsync(GetRecipientCertificatesRequest request, GrpcCallOptions? options = null) =>
        _invoker.UnaryAsync(CertificatesMethods.GetRecipientCertificates, request, options);

    public virtual Task<ExportPkcs12Reply> ExportPkcs12Async(ExportRequest request, GrpcCallOptions? options = null) =>
        _invoker.UnaryAsync(CertificatesMethods.ExportPkcs12, request, options);

    public virtual Task<ExportBundleReply> ExportBundleAsync(ExportRequest request, GrpcCallOptions? options = null) =>
        _invoker.UnaryAsync(CertificatesMethods.ExportBundle, request, options);
}

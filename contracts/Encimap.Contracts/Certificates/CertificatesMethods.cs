using Encimap.Grpc;

namespace Encimap.Contracts.Certificates;

/// <summary>The methods of <c>encimap.certificates.v1.Certificates</c> (certificates.proto).</summary>
public static class CertificatesMethods
{
    public const string ServiceName = "encimap.certificates.v1.Certificates";

    /// <summary>Not idempotent: every call mints a new key pair and certificate.</summary>
    public static readonly GrpcMethod<IssueCertificateRequest, IssuedCertificate> IssueCertificate = new(
        ServiceName, nameof(IssueCertificate), GrpcMethodType.Unary,
        IssueCertificateRequest.Parser, IssuedCertificate.Parser, idempotent: false);

    public static readonly GrpcMethod<GetRecipientCertificatesRequest, GetRecipientCertificatesReply> GetRecipientCertificates = new(
        ServiceName, nameof(GetRecipientCertificates), GrpcMethodType.Unary,
        GetRecipientCertificatesRequest.Parser, GetRecipientCertificatesReply.Parser, idempotent: true);

    /// <summary>Idempotent: an export reads the stored key and stores nothing.</summary>
    public static readonly GrpcMethod<ExportRequest, ExportPkcs12Reply> ExportPkcs12 = new(
        ServiceName, nameof(ExportPkcs12), GrpcMethodType.Unary,
        ExportRequest.Parser, ExportPkcs12Reply.Parser, idempotent: true);

    /// <summary>Idempotent: an export reads the stored key and stores nothing.</summary>
    public static readonly GrpcMethod<ExportRequest, ExportBundleReply> ExportBundle = new(
        ServiceName, nameof(ExportBundle), GrpcMethodType.Unary,
        ExportRequest.Parser, ExportBundleReply.Parser, idempotent: true);
}

namespace Encimap.Api.Certificates;

/// <summary>What the API answers about a certificate it stored for a vaultbox.</summary>
public sealed record CertificateSummary(Guid Id, string SerialNumber, string ThumbprintSha256, DateTimeOffset NotBefore, DateTimeOffset NotAfter)
{
    public object ToResponse() => new
    {
        certificate_id = Id,
        serial_number = SerialNumber,
        fingerprint_sha256 = ThumbprintSha256,
        not_before = NotBefore,
        not_after = NotAfter,
    };
}

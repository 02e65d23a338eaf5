namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>The <c>Tls</c> section: the server certificate for STARTTLS, as PEM files.</summary>
public sealed class TlsOptions
{
    public const string Section = "Tls";

    public string CertificatePemFile { get; set; } = "";

    public string KeyPemFile { get; set; } = "";
}

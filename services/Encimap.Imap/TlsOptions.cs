namespace Encimap.Imap;

/// <summary>Configuration section "Tls": the server certificate (PEM files).</summary>
public sealed class TlsOptions
{
    public string? CertificatePemFile { get; set; }

    public string? KeyPemFile { get; set; }
}

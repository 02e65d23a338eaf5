namespace Encimap.Certificates.Dkim;

/// <summary>The <c>Dkim</c> configuration section: how new DKIM keys are made.</summary>
public sealed class DkimOptions
{
    public const string Section = "Dkim";

    /// <summary>The algorithm of new keys: <c>rsa</c> (RSA-SHA256, every verifier) or <c>ed25519</c> (RFC 8463).</summary>
    public string KeyAlgorithm { get; set; } = DkimAlgorithms.RsaOption;

    /// <summary>Modulus size of new RSA keys (RFC 8301: at least 1024 bits, 2048 recommended).</summary>
    public int RsaKeySizeBits { get; set; } = 2048;

    /// <summary>
    /// The largest message the service signs. The whole message travels in the call, so the gRPC
    /// limit follows this (above the SMTP gateway's message size limit).
    /// </summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024 * 1024;
}

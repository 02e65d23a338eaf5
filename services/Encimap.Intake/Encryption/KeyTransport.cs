namespace Encimap.Intake.Encryption;

/// <summary>How the content-encryption key is wrapped for each certificate (<c>vaultboxes.key_transport</c>).</summary>
public enum KeyTransport
{
    /// <summary>RSA PKCS#1 v1.5 (<c>rsa-pkcs1</c>): what every S/MIME client decrypts.</summary>
    RsaPkcs1,

    /// <summary>RSAES-OAEP (<c>rsa-oaep</c>) with SHA-256 and MGF1-SHA-256 (RFC 8551 §2.3).</summary>
    RsaOaep,
}

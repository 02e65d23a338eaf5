using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Encimap.Intake.Encryption;

/// <summary>
/// Wraps the content-encryption key for one recipient with the platform's RSA (OpenSSL), for
/// BouncyCastle's CMS generator. BouncyCastle's own RSA runs on its managed BigInteger: a quarter
/// of the intake's CPU per 5 KB message went into that one public-key operation, which OpenSSL
/// does in a fraction of the time. The algorithm identifier written into the
/// KeyTransRecipientInfo is BouncyCastle's for the same algorithm name, so the CMS structure stays
/// byte for byte what the generator writes by itself; only the RSA arithmetic moves. One instance
/// serves every delivery to its certificate (it is cached): wrapping is serialized on the key,
/// since the platform does not promise that one RSA object may be used by several threads at once.
/// </summary>
public sealed class PlatformRsaKeyWrapper : IKeyWrapper
{
    private readonly RSA _rsa;
    private readonly RSAEncryptionPadding _padding;
    private readonly Lock _lock = new();

    private PlatformRsaKeyWrapper(BcCertificate certificate, RSA rsa, RSAEncryptionPadding padding, object algorithmDetails)
    {
        Certificate = certificate;
        _rsa = rsa;
        _padding = padding;
        AlgorithmDetails = algorithmDetails;
    }

    /// <summary>The recipient's certificate as BouncyCastle reads it (its issuer and serial number name the recipient).</summary>
    public BcCertificate Certificate { get; }

    public object AlgorithmDetails { get; }

    public static PlatformRsaKeyWrapper For(X509Certificate2 certificate, BcCertificate converted, KeyTransport keyTransport)
    {
        // BouncyCastle's name for the algorithm (its identifier goes into the recipient info) and
        // the same padding on the platform; .NET's OAEP with SHA-256 uses MGF1 with SHA-256 as
        // well (RFC 8017 §7.1).
        var (algorithm, padding) = keyTransport switch
        {
            KeyTransport.RsaPkcs1 => ("RSA/NONE/PKCS1PADDING", RSAEncryptionPadding.Pkcs1),
            KeyTransport.RsaOaep => ("RSA/NONE/OAEPWITHSHA256ANDMGF1PADDING", RSAEncryptionPadding.OaepSHA256),
            _ => throw new ArgumentOutOfRangeException(nameof(keyTransport), keyTransport, "unsupported key transport"),
        };
        var rsa = certificate.GetRSAPublicKey() ?? throw new CryptographicException("the certificate has no RSA public key");
        return new PlatformRsaKeyWrapper(converted, rsa, padding, new Asn1KeyWrapper(algorithm, converted).AlgorithmDetails);
    }

    public IBlockResult Wrap(byte[] keyData)
    {
        lock (_lock)
        {
            return new SimpleBlockResult(_rsa.Encrypt(keyData, _padding));
        }
    }
}

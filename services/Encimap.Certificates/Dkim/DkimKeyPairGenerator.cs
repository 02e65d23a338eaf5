using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace Encimap.Certificates.Dkim;

/// <summary>
/// Makes DKIM key pairs: RSA through .NET's platform cryptography, Ed25519 through BouncyCastle
/// (which MimeKit signs with). Both private keys come out as PKCS#8, ready to be wrapped.
/// </summary>
public static class DkimKeyPairGenerator
{
    /// <summary>A new key pair for the a= value <paramref name="algorithm"/>.</summary>
    public static NewDkimKeyPair Generate(string algorithm, int rsaKeySizeBits) => algorithm switch
    {
        DkimAlgorithms.RsaSha256 => GenerateRsa(rsaKeySizeBits),
        DkimAlgorithms.Ed25519Sha256 => GenerateEd25519(),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not a DKIM algorithm this service makes keys for"),
    };

    private static NewDkimKeyPair GenerateRsa(int bits)
    {
        using var rsa = RSA.Create(bits);
        // p= of an RSA key is the DER SubjectPublicKeyInfo (RFC 6376 §3.6.1).
        return new NewDkimKeyPair(DkimAlgorithms.RsaSha256, rsa.ExportPkcs8PrivateKey(), rsa.ExportSubjectPublicKeyInfo());
    }

    private static NewDkimKeyPair GenerateEd25519()
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var pkcs8 = PrivateKeyInfoFactory.CreatePrivateKeyInfo(pair.Private).GetDerEncoded();
        // p= of an Ed25519 key is the bare 32-byte public key, not an SPKI (RFC 8463 §4.2).
        return new NewDkimKeyPair(DkimAlgorithms.Ed25519Sha256, pkcs8, ((Ed25519PublicKeyParameters)pair.Public).GetEncoded());
    }
}

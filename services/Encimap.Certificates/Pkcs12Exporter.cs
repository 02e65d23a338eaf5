using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using Encimap.Contracts.Certificates;

namespace Encimap.Certificates;

/// <summary>
/// Builds PKCS#12 files with <see cref="Pkcs12Builder"/>: per certificate a shrouded key bag
/// (unencrypted safe) and a cert bag (in a password-encrypted safe), both carrying the same
/// localKeyId and friendlyName, sealed with an HMAC.
/// </summary>
public static class Pkcs12Exporter
{
    /// <summary>Shortest export password accepted.</summary>
    public const int MinPasswordLength = 8;

    /// <summary>
    /// COMPATIBLE: the classic PKCS#12 PBE (pbeWithSHAAnd3-KeyTripleDES-CBC) for the key and the
    /// certificates, SHA-1 MAC, 2048 iterations (OpenSSL's long-time default). The one profile
    /// that macOS/iOS Keychain and older Outlook/Windows import; OpenSSL 3 still reads it with its
    /// default provider (3DES is not in the legacy provider, unlike RC2-40).
    /// </summary>
    public const int CompatibleIterations = 2048;

    /// <summary>
    /// MODERN: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) and a SHA-256 MAC. 100,000 iterations
    /// make a guess about 50 times dearer than the compatible profile's 2048 (OpenSSL 3's
    /// default), while staying importable: .NET's own PKCS#12 loader refuses a single KDF above
    /// 300,000 iterations and a file whose KDFs add up to more than 1,000,000 (Windows and other
    /// importers apply similar caps), and a file here holds 2 KDFs per certificate plus the
    /// MAC's, with two or three certificates during a rotation. It costs a few tens of
    /// milliseconds per KDF on a server core. A strong password matters more than this count.
    /// </summary>
    public const int ModernIterations = 100_000;

    private const string FriendlyNameOid = "1.2.840.113549.1.9.20";

    /// <summary>Encodes <paramref name="items"/> (newest first) protected by <paramref name="password"/>.</summary>
    public static byte[] Build(IReadOnlyList<KeyedCertificate> items, string password, Pkcs12Profile profile)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(password);
        if (items.Count == 0)
        {
            throw new ArgumentException("Nothing to export.", nameof(items));
        }

        var (pbe, macHash, macIterations) = profile switch
        {
            Pkcs12Profile.Compatible => (
                new PbeParameters(PbeEncryptionAlgorithm.TripleDes3KeyPkcs12, HashAlgorithmName.SHA1, CompatibleIterations),
                HashAlgorithmName.SHA1,
                CompatibleIterations),
            Pkcs12Profile.Modern => (
                new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, ModernIterations),
                HashAlgorithmName.SHA256,
                ModernIterations),
            _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "Unknown PKCS#12 profile."),
        };

        var keys = new Pkcs12SafeContents();
        var certificates = new Pkcs12SafeContents();
        foreach (var item in items)
        {
            // localKeyId pairs a key with its certificate; the certificate's SHA-1 hash is what
            // OpenSSL and Windows use for it (an identifier, not a security function).
            var localKeyId = new Pkcs9LocalKeyId(item.Certificate.GetCertHash(HashAlgorithmName.SHA1));
            var friendlyName = FriendlyName(item.FriendlyName);

            var keyBag = keys.AddShroudedKey(item.PrivateKey, password, pbe);
            keyBag.Attributes.Add(localKeyId);
            keyBag.Attributes.Add(friendlyName);

            var certBag = certificates.AddCertificate(item.Certificate);
            certBag.Attributes.Add(localKeyId);
            certBag.Attributes.Add(friendlyName);
        }

        var builder = new Pkcs12Builder();
        builder.AddSafeContentsEncrypted(certificates, password, pbe);
        builder.AddSafeContentsUnencrypted(keys);
        builder.SealWithMac(password, macHash, macIterations);
        return builder.Encode();
    }

    /// <summary>PKCS#9 friendlyName: a BMPString.</summary>
    private static AsnEncodedData FriendlyName(string name)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.BMPString, name);
        return new AsnEncodedData(new Oid(FriendlyNameOid), writer.Encode());
    }
}

using System.Formats.Asn1;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Encimap.Intake.Encryption;

/// <summary>
/// One certificate as a CMS key-transport recipient: its issuer and serial number and its RSA
/// public key, imported once and kept for as long as the certificate object lives (the intake's
/// certificate cache keeps one object per certificate for its lifetime).
/// </summary>
internal sealed class CmsRecipientKey
{
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";
    private const string RsaesOaepOid = "1.2.840.113549.1.1.7";
    private const string Mgf1Oid = "1.2.840.113549.1.1.8";
    private const string Sha256Oid = "2.16.840.1.101.3.4.2.1";

    private static readonly byte[] RsaPkcs1Algorithm = RsaPkcs1AlgorithmIdentifier();
    private static readonly byte[] RsaOaepSha256Algorithm = RsaOaepSha256AlgorithmIdentifier();

    private static readonly ConditionalWeakTable<X509Certificate2, CmsRecipientKey> Keys = new();

    private readonly byte[] _issuer;
    private readonly byte[] _serialNumber;
    private readonly RSA _publicKey;
    private readonly Lock _publicKeyLock = new();

    private CmsRecipientKey(X509Certificate2 certificate)
    {
        _publicKey = certificate.GetRSAPublicKey()
            ?? throw new CryptographicException($"certificate {certificate.Thumbprint} has no RSA public key for key transport");
        _issuer = certificate.IssuerName.RawData;
        _serialNumber = certificate.SerialNumberBytes.ToArray();
    }

    /// <summary>The recipient for <paramref name="certificate"/>, imported on first use.</summary>
    public static CmsRecipientKey For(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Keys.GetValue(certificate, static c => new CmsRecipientKey(c));
    }

    /// <summary>KeyTransRecipientInfo, version 0 (issuerAndSerialNumber), RFC 5652 §6.2.1.</summary>
    public void WriteKeyTransRecipientInfo(AsnWriter writer, ReadOnlySpan<byte> contentKey, KeyTransport keyTransport)
    {
        var (padding, algorithm) = keyTransport == KeyTransport.RsaOaep
            ? (RSAEncryptionPadding.OaepSHA256, RsaOaepSha256Algorithm)
            : (RSAEncryptionPadding.Pkcs1, RsaPkcs1Algorithm);
        using (writer.PushSequence())
        {
            writer.WriteInteger(0);
            using (writer.PushSequence())
            {
                writer.WriteEncodedValue(_issuer);
                writer.WriteInteger(_serialNumber);
            }

            writer.WriteEncodedValue(algorithm);
            writer.WriteOctetString(WrapKey(contentKey, padding));
        }
    }

    private byte[] WrapKey(ReadOnlySpan<byte> contentKey, RSAEncryptionPadding padding)
    {
        // RSA objects are not documented as safe for concurrent use; a wrap takes ~30 µs.
        lock (_publicKeyLock)
        {
            return _publicKey.Encrypt(contentKey, padding);
        }
    }

    // { rsaEncryption, NULL }, as RFC 3370 §4.2.1 asks.
    private static byte[] RsaPkcs1AlgorithmIdentifier()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(RsaEncryptionOid);
            writer.WriteNull();
        }

        return writer.Encode();
    }

    // { id-RSAES-OAEP, { [0] sha256, [1] { mgf1, sha256 } } }; pSourceFunc is the default and so
    // absent (RFC 4055 §4.1, RFC 8551 §2.3). Hash identifiers carry NULL, as EnvelopedCms writes them.
    private static byte[] RsaOaepSha256AlgorithmIdentifier()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(RsaesOaepOid);
            using (writer.PushSequence())
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                {
                    WriteSha256(writer);
                }

                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(Mgf1Oid);
                    WriteSha256(writer);
                }
            }
        }

        return writer.Encode();
    }

    private static void WriteSha256(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(Sha256Oid);
            writer.WriteNull();
        }
    }
}

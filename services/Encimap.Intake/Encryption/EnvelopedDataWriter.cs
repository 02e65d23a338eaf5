using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Encimap.Intake.Encryption;

/// <summary>
/// Writes CMS EnvelopedData (RFC 5652 §6, in a ContentInfo, DER) for <c>id-data</c> content:
/// AES-256-CBC (RFC 3565) under a fresh random key and IV, the key wrapped for each certificate
/// with RSA PKCS#1 v1.5 or RSAES-OAEP-SHA-256 (RFC 8551 §2.3), recipients by issuer and serial
/// number — the same structure, field for field, that <c>EnvelopedCms</c> writes.
/// <para>
/// This is the one piece that <c>System.Security.Cryptography.Pkcs</c> would normally provide.
/// It is written here because <c>EnvelopedCms</c> imports each recipient's public key into
/// OpenSSL again on every message (~180 µs) and copies the content four times; on the intake's
/// path that was a fifth of a 100 KB delivery's CPU. Only the encoding is ours: random numbers,
/// AES and RSA are .NET's, and the ASN.1 writer is <c>System.Formats.Asn1</c>'s. The intake tests
/// decrypt what this writes with OpenSSL and with <c>EnvelopedCms</c>.
/// </para>
/// </summary>
public static class EnvelopedDataWriter
{
    private const string EnvelopedDataOid = "1.2.840.113549.1.7.3";
    private const string DataOid = "1.2.840.113549.1.7.1";
    private const int KeyBytes = 32;
    private const int BlockBytes = 16;

    /// <summary>
    /// Encrypts <paramref name="content"/> for every certificate. The returned writer holds the
    /// encoded ContentInfo; take it with <c>Encode</c>. Throws <see cref="ArgumentException"/>
    /// without certificates and <see cref="CryptographicException"/> for a certificate without an
    /// RSA key.
    /// </summary>
    public static AsnWriter Encrypt(ReadOnlySpan<byte> content, IReadOnlyList<X509Certificate2> certificates, KeyTransport keyTransport)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        if (certificates.Count == 0)
        {
            throw new ArgumentException("at least one certificate is needed", nameof(certificates));
        }

        var recipients = new CmsRecipientKey[certificates.Count];
        for (var i = 0; i < recipients.Length; i++)
        {
            recipients[i] = CmsRecipientKey.For(certificates[i]);
        }

        var cipherLength = (content.Length / BlockBytes + 1) * BlockBytes; // PKCS#7 padding always adds
        // Not pooled: messages go up to tens of megabytes, and the pool would keep such arrays.
        var ciphertext = GC.AllocateUninitializedArray<byte>(cipherLength);
        Span<byte> key = stackalloc byte[KeyBytes];
        Span<byte> iv = stackalloc byte[BlockBytes];
        try
        {
            RandomNumberGenerator.Fill(key);
            RandomNumberGenerator.Fill(iv);
            using (var aes = Aes.Create())
            {
                aes.SetKey(key);
                aes.EncryptCbc(content, iv, ciphertext, PaddingMode.PKCS7);
            }

            var writer = new AsnWriter(AsnEncodingRules.DER, cipherLength + 128 + recipients.Length * 640);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(EnvelopedDataOid);
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                using (writer.PushSequence())
                {
                    // Version 0: no originatorInfo, no unprotectedAttrs, only version-0 KeyTransRecipientInfo (RFC 5652 §6.1).
                    writer.WriteInteger(0);
                    using (writer.PushSetOf())
                    {
                        foreach (var recipient in recipients)
                        {
                            recipient.WriteKeyTransRecipientInfo(writer, key, keyTransport);
                        }
                    }

                    WriteEncryptedContentInfo(writer, iv, ciphertext);
                }
            }

            return writer;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static void WriteEncryptedContentInfo(AsnWriter writer, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(DataOid);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(EncryptedMessageBuilder.Aes256CbcOid);
                writer.WriteOctetString(iv);
            }

            // encryptedContent [0] IMPLICIT OCTET STRING, primitive in DER.
            writer.WriteOctetString(ciphertext, new Asn1Tag(TagClass.ContextSpecific, 0));
        }
    }
}

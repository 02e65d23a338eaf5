using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;

namespace Encimap.Intake.Encryption;

/// <summary>
/// Whether a body is CMS (RFC 5652) of a given kind, parsed by BouncyCastle's streaming ASN.1
/// parsers (BER or DER) as it is read: a message of any size is checked without being held whole.
/// Malformed input throws <see cref="IOException"/> (BouncyCastle's Asn1Exception among them) or
/// <see cref="InvalidCastException"/> where an element is not of the expected type.
/// </summary>
internal static class CmsStructure
{
    /// <summary>id-ct-authEnvelopedData (RFC 5083).</summary>
    public static readonly DerObjectIdentifier AuthEnvelopedData = new("1.2.840.113549.1.9.16.1.23");

    /// <summary>Whether <paramref name="body"/> starts with a ContentInfo of <paramref name="contentType"/>.</summary>
    public static bool IsContentInfoOf(Stream body, DerObjectIdentifier contentType) =>
        ContentInfo(body).ContentType.Equals(contentType);

    /// <summary>
    /// Whether <paramref name="body"/> is a ContentInfo holding an EnvelopedData (RFC 5652 §6.1)
    /// that parses to its end: at least one RecipientInfo, each of a known kind, the encrypted
    /// content info, its encrypted content read through, and the unprotected attributes if any.
    /// </summary>
    public static bool IsEnvelopedData(Stream body)
    {
        var contentInfo = ContentInfo(body);
        if (!contentInfo.ContentType.Equals(CmsObjectIdentifiers.EnvelopedData))
        {
            return false;
        }

        var envelopedData = new EnvelopedDataParser((Asn1SequenceParser)contentInfo.GetContent(Asn1Tags.Sequence));
        _ = envelopedData.Version;
        envelopedData.GetOriginatorInfo();
        var recipients = envelopedData.GetRecipientInfos();
        var count = 0;
        for (var recipient = recipients.ReadObject(); recipient is not null; recipient = recipients.ReadObject())
        {
            RecipientInfo.GetInstance(recipient.ToAsn1Object());
            count++;
        }

        var encrypted = envelopedData.GetEncryptedContentInfo();
        if (count == 0 || encrypted is null)
        {
            return false;
        }

        _ = encrypted.ContentType;
        _ = encrypted.ContentEncryptionAlgorithm;
        if (encrypted.GetEncryptedContent(Asn1Tags.OctetString) is Asn1OctetStringParser content)
        {
            using var octets = content.GetOctetStream();
            octets.CopyTo(Stream.Null);
        }

        envelopedData.GetUnprotectedAttrs();
        return true;
    }

    private static ContentInfoParser ContentInfo(Stream body) =>
        new((Asn1SequenceParser)new Asn1StreamParser(body).ReadObject());
}

using System.Text;
using Encimap.Imap.Protocol;
using Encimap.Intake.Encryption;
using Encimap.Mime;
using MimeKit;
using MimeKit.Utils;

namespace Encimap.Intake.Delivery;

/// <summary>
/// The searchable columns of a stored message, computed once at delivery from the STORED
/// (encrypted) message — what IMAP serves, without rendering its base64 — so that ENVELOPE and
/// BODYSTRUCTURE never need the content again: as JSON, and in IMAP wire syntax for the common
/// FETCH of both.
/// </summary>
public static class StoredMetadata
{
    private const int MaxTextLength = 4096;

    /// <param name="route">The vaultbox the copy is for.</param>
    /// <param name="encrypted">The copy as stored.</param>
    /// <param name="original">The original message's header fields (<see cref="OriginalHeader"/>).</param>
    public static PreparedCopy Prepare(VaultboxRoute route, EncryptedMessage encrypted, HeaderList original)
    {
        // With the DER kept apart, Content is the outer header alone: its one part's body is the
        // DER's base64 lines, whose length is known without rendering them. The part is
        // application/pkcs7-mime, so BODYSTRUCTURE counts no lines for it (RFC 3501 §7.4.2). The
        // same holds of a large already encrypted message with its body apart: Content is its
        // header, and its one part (application/pkcs7-mime, checked) is the body in chunks.
        var (envelopeValue, structureValue) = ImapMetadata.Read(encrypted.Content);
        if (encrypted.Der is not null || encrypted.Body is not null)
        {
            structureValue = structureValue with { Size = encrypted.ServedBodyLength, BodyLength = encrypted.ServedBodyLength };
        }

        var envelope = JsonForJsonb(MimeJson.Serialize(envelopeValue));
        var bodyStructure = JsonForJsonb(MimeJson.Serialize(structureValue));
        return new PreparedCopy(
            route,
            encrypted,
            MessageId: Clean(MessageId(envelopeValue.MessageId)),
            FromDomain: Clean(FromDomain(envelopeValue.From) ?? FromDomain(original)),
            Subject: route.HideSubject ? null : Clean(RawHeader.First(original, "Subject")?.Value.Trim()),
            EnvelopeJson: envelope,
            BodyStructureJson: bodyStructure,
            EnvelopeWire: ImapMetadataWire.Envelope(MimeMapping.ToImap(envelopeValue)),
            BodyStructureWire: ImapMetadataWire.BodyStructure(MimeMapping.ToImap(structureValue)));
    }

    private static string? FromDomain(HeaderList headers) =>
        RawHeader.Value(headers, "From") is { } from ? FromDomain(AddressListReader.Read(from)) : null;

    private static string? FromDomain(IReadOnlyList<MailAddress> from) =>
        from.Select(a => a.Host).FirstOrDefault(h => !string.IsNullOrWhiteSpace(h))?.Trim().ToLowerInvariant();

    /// <summary>The Message-ID without its angle brackets; null when absent or unreadable.</summary>
    private static string? MessageId(string? value) =>
        value is not null && MimeUtils.ParseMessageId(value) is { Length: > 0 } id ? id : null;

    // PostgreSQL text cannot hold NUL; very long values are cut (the full text stays in the message).
    private static string? Clean(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var text = value.Replace("\0", "", StringComparison.Ordinal);
        return text.Length > MaxTextLength ? text[..MaxTextLength] : text;
    }

    /// <summary>
    /// jsonb refuses the escape <c>\u0000</c>, which a NUL byte in a header serializes to: replace
    /// it by U+FFFD, leaving escaped backslashes (<c>\\u0000</c>, literal text) alone.
    /// </summary>
    internal static string JsonForJsonb(string json)
    {
        if (!json.Contains("\\u0000", StringComparison.Ordinal))
        {
            return json;
        }

        var output = new StringBuilder(json.Length);
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] == '\\' && i + 1 < json.Length)
            {
                if (json[i + 1] == 'u' && string.CompareOrdinal(json, i, "\\u0000", 0, 6) == 0)
                {
                    output.Append("\\ufffd");
                    i += 5;
                    continue;
                }

                output.Append(json, i, 2);
                i++;
                continue;
            }

            output.Append(json[i]);
        }

        return output.ToString();
    }
}

using System.Text.Json.Serialization;
using Encimap.Contracts.Certificates;

namespace Encimap.Api.Domains;

/// <summary>What the platform publishes for a domain's DKIM key: a TXT record at <c>{selector}._domainkey.{domain}</c>.</summary>
public sealed record DkimRecordResponse(
    [property: JsonPropertyName("domain")] string Domain,
    [property: JsonPropertyName("selector")] string Selector,
    [property: JsonPropertyName("algorithm")] string Algorithm,
    [property: JsonPropertyName("public_key")] string PublicKey,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("dns")] DkimDnsRecord Dns)
{
    public static DkimRecordResponse From(DkimKey key) => new(
        key.Domain,
        key.Selector,
        key.Algorithm == DkimKeyAlgorithm.Ed25519Sha256 ? "ed25519-sha256" : "rsa-sha256",
        Convert.ToBase64String(key.PublicKey.Span),
        key.CreatedAt.ToDateTimeOffset(),
        DkimDnsRecord.Txt(key.DnsName, key.DnsTxt));
}

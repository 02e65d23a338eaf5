using Encimap.Contracts.Certificates;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Encimap.Certificates.Dkim;

/// <summary>A row of <c>dkim_keys</c>: a domain's signing key, its private half wrapped.</summary>
public sealed record StoredDkimKey(
    Guid Id,
    string Domain,
    string Selector,
    string Algorithm,
    byte[] PublicKey,
    WrappedPrivateKey PrivateKey,
    DateTimeOffset CreatedAt)
{
    /// <summary>Where the public key is published (RFC 6376 §3.6.2.1).</summary>
    public string DnsName => $"{Selector}._domainkey.{Domain}";

    /// <summary>The TXT record's value (RFC 6376 §3.6.1): version, key type and the base64 public key.</summary>
    public string DnsTxt => $"v=DKIM1; k={DkimAlgorithms.KeyType(Algorithm)}; p={Convert.ToBase64String(PublicKey)}";

    /// <summary>The public description of the key, for the contract: never the private key.</summary>
    public DkimKey ToContract() => new()
    {
        Domain = Domain,
        Selector = Selector,
        Algorithm = DkimAlgorithms.ToContract(Algorithm),
        PublicKey = ByteString.CopyFrom(PublicKey),
        DnsName = DnsName,
        DnsTxt = DnsTxt,
        CreatedAt = Timestamp.FromDateTimeOffset(CreatedAt),
    };
}

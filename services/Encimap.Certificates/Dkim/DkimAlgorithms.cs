using Encimap.Contracts.Certificates;

namespace Encimap.Certificates.Dkim;

/// <summary>
/// The two DKIM signature algorithms the service makes keys for, by the names each place uses:
/// the stored and signed <c>a=</c> value, the DNS record's <c>k=</c>, the configuration's option
/// and the contract's enum.
/// </summary>
public static class DkimAlgorithms
{
    /// <summary>a= of RSA keys (RFC 6376 §3.3; rsa-sha1 is never made, RFC 8301).</summary>
    public const string RsaSha256 = "rsa-sha256";

    /// <summary>a= of Ed25519 keys (RFC 8463 §3).</summary>
    public const string Ed25519Sha256 = "ed25519-sha256";

    /// <summary><see cref="DkimOptions.KeyAlgorithm"/> for RSA.</summary>
    public const string RsaOption = "rsa";

    /// <summary><see cref="DkimOptions.KeyAlgorithm"/> for Ed25519.</summary>
    public const string Ed25519Option = "ed25519";

    /// <summary>The a= value of keys made under the configuration's option; null for an unknown option.</summary>
    public static string? FromOption(string? option) => option?.Trim().ToLowerInvariant() switch
    {
        RsaOption => RsaSha256,
        Ed25519Option => Ed25519Sha256,
        _ => null,
    };

    /// <summary>The DNS record's k= tag for an a= value (RFC 6376 §3.6.1, RFC 8463 §4.2).</summary>
    public static string KeyType(string algorithm) => algorithm == Ed25519Sha256 ? Ed25519Option : RsaOption;

    public static DkimKeyAlgorithm ToContract(string algorithm) =>
        algorithm == Ed25519Sha256 ? DkimKeyAlgorithm.Ed25519Sha256 : DkimKeyAlgorithm.RsaSha256;
}

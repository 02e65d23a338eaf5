namespace Encimap.ServiceDefaults.Security;

/// <summary>
/// One JWT trust relationship (configuration section <c>Jwt:S2S</c> for service-to-service tokens,
/// <c>Jwt:User</c> for the platform's user tokens at the gateway). Either a shared HS256 secret
/// (development) or PEM keys: a public key (RSA or ECDSA) to validate, a private key to mint.
/// </summary>
public sealed class JwtOptions
{
    public string Issuer { get; set; } = "encimap-gateway";

    public string Audience { get; set; } = "encimap-api";

    /// <summary>HS256 shared secret, at least 32 bytes of text (development and single-trust setups).</summary>
    public string? SigningKey { get; set; }

    /// <summary>PEM public key (RSA or ECDSA) that validates tokens.</summary>
    public string? PublicKeyPem { get; set; }

    /// <summary>PEM private key (RSA or ECDSA) that signs tokens this process mints.</summary>
    public string? PrivateKeyPem { get; set; }

    /// <summary>Lifetime of minted tokens; short, since every request gets a fresh one.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Tolerated clock difference between the minting and the validating machine.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

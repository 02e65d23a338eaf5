using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Encimap.ServiceDefaults.Security;

/// <summary>Turns <see cref="JwtOptions"/> into signing and validation keys.</summary>
public static class JwtKeys
{
    private const int MinimumSecretBytes = 32;

    /// <summary>The keys that validate tokens: the shared secret and/or the public key.</summary>
    public static IReadOnlyList<SecurityKey> ValidationKeys(JwtOptions options)
    {
        var keys = new List<SecurityKey>();
        if (!string.IsNullOrEmpty(options.SigningKey))
        {
            keys.Add(SymmetricKey(options.SigningKey));
        }

        if (!string.IsNullOrEmpty(options.PublicKeyPem))
        {
            keys.Add(AsymmetricKey(options.PublicKeyPem));
        }

        if (keys.Count == 0)
        {
            throw new InvalidOperationException("JWT: configure SigningKey (HS256) or PublicKeyPem (RSA/ECDSA).");
        }

        return keys;
    }

    /// <summary>The credentials that sign tokens: the private key if given, else the shared secret.</summary>
    public static SigningCredentials SigningCredentials(JwtOptions options)
    {
        if (!string.IsNullOrEmpty(options.PrivateKeyPem))
        {
            var key = AsymmetricKey(options.PrivateKeyPem);
            var algorithm = key is ECDsaSecurityKey ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256;
            return new SigningCredentials(key, algorithm);
        }

        if (!string.IsNullOrEmpty(options.SigningKey))
        {
            return new SigningCredentials(SymmetricKey(options.SigningKey), SecurityAlgorithms.HmacSha256);
        }

        throw new InvalidOperationException("JWT: configure SigningKey (HS256) or PrivateKeyPem (RSA/ECDSA) to mint tokens.");
    }

    private static SymmetricSecurityKey SymmetricKey(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        if (bytes.Length < MinimumSecretBytes)
        {
            throw new InvalidOperationException($"JWT: SigningKey must be at least {MinimumSecretBytes} bytes.");
        }

        return new SymmetricSecurityKey(bytes);
    }

    // PEM keys are told apart by trying RSA first, then ECDSA: the PEM label says "PUBLIC KEY"
    // for both when it is SubjectPublicKeyInfo.
    private static AsymmetricSecurityKey AsymmetricKey(string pem)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (ArgumentException)
        {
            rsa.Dispose();
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
        }

        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(pem);
        return new ECDsaSecurityKey(ecdsa);
    }
}

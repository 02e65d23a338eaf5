using System.Security.Cryptography;
using System.Text;

namespace Encimap.Database;

/// <summary>
/// Builds a PostgreSQL SCRAM-SHA-256 password verifier on the client (RFC 5802/7677, the format
/// of pg_authid.rolpassword), so that CREATE/ALTER ROLE never sends a plaintext password that a
/// statement log could keep.
/// </summary>
internal static class ScramVerifier
{
    private const int Iterations = 4096;

    /// <summary>
    /// The verifier, or null when the password is not printable ASCII: the server SASLprep-
    /// normalizes other passwords, and then it must hash them itself.
    /// </summary>
    public static string? TryCreate(string password)
    {
        foreach (var c in password)
        {
            if (c is < (char)0x21 or > (char)0x7e)
            {
                return null;
            }
        }
        var salt = RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${Iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}

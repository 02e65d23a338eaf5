using System.Security.Cryptography;

namespace Encimap.Database;

/// <summary>Generated passwords for database roles.</summary>
public static class Secrets
{
    /// <summary>A 256-bit random password in URL-safe base64 (43 characters, no padding).</summary>
    public static string NewPassword()
    {
        var bytes = RandomNumberGenerator.GetBytes(32);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}

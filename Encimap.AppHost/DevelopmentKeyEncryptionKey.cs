using System.Globalization;
using System.Security.Cryptography;

namespace Encimap.AppHost;

/// <summary>
/// The development key-encryption key (<c>{state}/kek/kek-*.key</c>: base64 of 32 random bytes,
/// mode 600), made once by the AppHost before any certificate service starts. The service could
/// make it itself (Certificates:GenerateDevelopmentKek), but two replicas starting on an empty
/// directory would each make one and wrap keys the other cannot unwrap.
/// </summary>
public static class DevelopmentKeyEncryptionKey
{
    public static void Ensure(string directory)
    {
        if (Directory.Exists(directory) && Directory.EnumerateFiles(directory, "*.key").Any())
        {
            return;
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var id = string.Create(CultureInfo.InvariantCulture, $"kek-{DateTime.UtcNow:yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}");
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using var writer = new StreamWriter(Path.Combine(directory, id + ".key"), System.Text.Encoding.ASCII, options);
            writer.Write(Convert.ToBase64String(key) + "\n");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}

using System.Text;
using System.Text.RegularExpressions;

namespace Encimap.Intake.Tests;

/// <summary>
/// A vaultbox's private keys and certificates as its owner has them: from the downloaded P12,
/// unpacked by OpenSSL 3, one PEM file per key.
/// </summary>
public sealed partial class VaultboxKeys
{
    private VaultboxKeys(string directory, IReadOnlyList<string> keyFiles, string certificatesFile)
    {
        Directory = directory;
        KeyFiles = keyFiles;
        CertificatesFile = certificatesFile;
    }

    public string Directory { get; }

    public IReadOnlyList<string> KeyFiles { get; }

    /// <summary>Every certificate of the P12 (PEM).</summary>
    public string CertificatesFile { get; }

    public static async Task<VaultboxKeys> LoadAsync(IntakeFixture fleet, Guid vaultboxId, string workDirectory)
    {
        var directory = System.IO.Directory.CreateDirectory(Path.Combine(workDirectory, vaultboxId.ToString("N"))).FullName;
        var p12 = Path.Combine(directory, "owner.p12");
        await File.WriteAllBytesAsync(p12, await fleet.DownloadP12Async(vaultboxId));
        var keys = await Tools.OpensslAsync("pkcs12", "-in", p12, "-nocerts", "-nodes", "-passin", $"pass:{IntakeFixture.P12Password}");
        var certificates = Path.Combine(directory, "certificates.pem");
        await Tools.OpensslAsync("pkcs12", "-in", p12, "-nokeys", "-passin", $"pass:{IntakeFixture.P12Password}", "-out", certificates);
        var files = new List<string>();
        foreach (Match match in PemKey().Matches(keys.Text))
        {
            var file = Path.Combine(directory, $"key{files.Count}.pem");
            await File.WriteAllTextAsync(file, match.Value + "\n", Encoding.ASCII);
            files.Add(file);
        }

        Assert.NotEmpty(files);
        return new VaultboxKeys(directory, files, certificates);
    }

    /// <summary>Decrypts a stored message with one key, as <c>openssl cms -decrypt -inform SMIME</c> does.</summary>
    public async Task<byte[]> DecryptAsync(byte[] stored, string keyFile)
    {
        var input = Path.Combine(Directory, $"stored-{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(input, stored);
        try
        {
            var result = await Tools.OpensslAsync("cms", "-decrypt", "-inform", "SMIME", "-in", input, "-inkey", keyFile);
            return result.Output;
        }
        finally
        {
            File.Delete(input);
        }
    }

    /// <summary>The CMS structure of a stored message, as <c>openssl cms -cmsout -print</c> shows it.</summary>
    public async Task<string> PrintAsync(byte[] stored)
    {
        var input = Path.Combine(Directory, $"print-{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(input, stored);
        try
        {
            return (await Tools.OpensslAsync("cms", "-cmsout", "-print", "-inform", "SMIME", "-in", input)).Text;
        }
        finally
        {
            File.Delete(input);
        }
    }

    [GeneratedRegex("-----BEGIN PRIVATE KEY-----.*?-----END PRIVATE KEY-----", RegexOptions.Singleline)]
    private static partial Regex PemKey();
}

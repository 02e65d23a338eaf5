namespace Encimap.SmtpGateway.Tests;

/// <summary>
/// An RSA key the tests sign mail with, through <c>dkimsign</c> (Debian's python3-dkim: an
/// implementation nobody here wrote); <see cref="KeyRecord"/> is its DNS TXT record (RFC 6376 §3.6.1).
/// </summary>
public sealed class DkimKey
{
    private DkimKey(string privateKeyPath, string publicKey)
    {
        PrivateKeyPath = privateKeyPath;
        KeyRecord = $"v=DKIM1; k=rsa; p={publicKey}";
    }

    public string PrivateKeyPath { get; }

    public string KeyRecord { get; }

    public static async Task<DkimKey> CreateAsync(string directory)
    {
        var path = Path.Combine(directory, "dkim.pem");
        var generated = await Tool.RunAsync("openssl", ["genrsa", "-out", path, "2048"]);
        Assert.True(generated.ExitCode == 0, generated.ToString());
        var publicKey = await Tool.RunAsync("openssl", ["rsa", "-in", path, "-pubout", "-outform", "DER"]);
        Assert.True(publicKey.ExitCode == 0, publicKey.ToString());
        return new DkimKey(path, Convert.ToBase64String(publicKey.Output));
    }

    /// <summary>The message file signed for <paramref name="domain"/> with <paramref name="selector"/> (DKIM-Signature first).</summary>
    public async Task<byte[]> SignAsync(string selector, string domain, string messagePath)
    {
        var signed = await Tool.RunAsync("sh", ["-c", "exec dkimsign \"$0\" \"$1\" \"$2\" < \"$3\"", selector, domain, PrivateKeyPath, messagePath]);
        Assert.True(signed.ExitCode == 0 && signed.Text.StartsWith("DKIM-Signature:", StringComparison.Ordinal), signed.ToString());
        return signed.Output;
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Encimap.AppHost;

/// <summary>
/// The self-signed server certificate of the development fleet's SMTP and IMAP ports
/// (<c>{state}/tls/server.crt</c> and <c>server.key</c>, PEM, the key mode 600), made once and
/// reused. Production configures its own PEM files the same way.
/// </summary>
public static class DevelopmentTlsCertificate
{
    public static (string CertificatePath, string KeyPath) Ensure(string stateDirectory)
    {
        var directory = Path.Combine(stateDirectory, "tls");
        var certificatePath = Path.Combine(directory, "server.crt");
        var keyPath = Path.Combine(directory, "server.key");
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            return (certificatePath, keyPath);
        }

        Directory.CreateDirectory(directory);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost, O=Encimap development", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(2));

        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        return (certificatePath, keyPath);
    }
}

using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Encimap.Certificates;

/// <summary>
/// The bundle a vaultbox owner downloads: a ZIP with <c>certificate.p12</c> (certificates and
/// private keys), <c>certificate.pem</c> (the certificates only) and <c>README.txt</c> (how to
/// install the file in common mail clients).
/// </summary>
public static class CertificateBundle
{
    public const string Pkcs12EntryName = "certificate.p12";
    public const string PemEntryName = "certificate.pem";
    public const string ReadmeEntryName = "README.txt";

    /// <summary>Zips <paramref name="pkcs12"/> with the PEM of <paramref name="certificates"/> (newest first) and the notes.</summary>
    public static byte[] Build(byte[] pkcs12, IReadOnlyList<X509Certificate2> certificates, string address, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(pkcs12);
        ArgumentNullException.ThrowIfNull(certificates);
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, Pkcs12EntryName, pkcs12, createdAt);
            var pem = new StringBuilder();
            foreach (var certificate in certificates)
            {
                pem.Append(certificate.ExportCertificatePem()).Append('\n');
            }
            Add(zip, PemEntryName, Encoding.ASCII.GetBytes(pem.ToString()), createdAt);
            Add(zip, ReadmeEntryName, Encoding.UTF8.GetBytes(Readme(certificates, address)), createdAt);
        }
        return output.ToArray();
    }

    /// <summary>The installation notes, CRLF line ends so that every platform's editor shows them.</summary>
    public static string Readme(IReadOnlyList<X509Certificate2> certificates, string address)
    {
        var validity = new StringBuilder();
        foreach (var certificate in certificates)
        {
            validity.Append(CultureInfo.InvariantCulture,
                $"  - valid from {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC to {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC (serial {certificate.SerialNumber.ToLowerInvariant()})\n");
        }

        var text = $"""
            Encrypted mailbox certificate for {address}
            ============================================================

            This archive holds:
              certificate.p12  your certificate AND your private key, protected by the password
                               you chose when you downloaded it. This is the file to install.
              certificate.pem  your certificate only (public), for anyone who wants to send you
                               encrypted mail or check your signature.
              README.txt       these notes.

            Certificate{(certificates.Count > 1 ? "s" : "")} in this file:
            {validity.ToString().TrimEnd('\n')}

            IMPORTANT - KEEP A BACKUP
            -------------------------
            Every message in this mailbox is stored encrypted to this certificate. Only the private
            key in certificate.p12 can open them. If you lose this file, or forget its password,
            you lose access to every stored message, and nobody (including the service operator)
            can recover them. Keep a copy of certificate.p12 somewhere safe and offline (for
            example an encrypted USB drive or a password manager), and remember its password.
            Do not send the .p12 file by unencrypted e-mail or share its password.

            Mozilla Thunderbird (Windows, macOS, Linux)
            -------------------------------------------
            1. Settings -> Privacy & Security -> Certificates -> Manage Certificates.
            2. On the "Your Certificates" tab click Import, choose certificate.p12 and enter its
               password.
            3. Account Settings -> (this account) -> End-To-End Encryption -> S/MIME: select the
               imported certificate for encryption and for signing.

            Apple Mail on macOS
            -------------------
            1. Double-click certificate.p12. Keychain Access opens: add it to the "login" keychain
               and enter the file's password.
            2. Quit and reopen Mail. Messages to and from {address} now decrypt; the lock and
               signature buttons appear when you write a message from this address.

            Apple Mail on iPhone and iPad (iOS / iPadOS)
            -------------------------------------------
            1. Send certificate.p12 to the device with AirDrop or save it in the Files app and tap
               it. "Profile Downloaded" appears.
            2. Open Settings -> Profile Downloaded -> Install, enter the device passcode and then
               the file's password.
            3. Settings -> Mail -> Accounts -> (this account) -> Account -> Advanced -> S/MIME:
               turn S/MIME on and choose this certificate for signing and encryption.

            Microsoft Outlook (Windows)
            ---------------------------
            1. Double-click certificate.p12. The Certificate Import Wizard opens: choose
               "Current User", enter the password, keep "Automatically select the certificate
               store", and finish.
            2. In Outlook: File -> Options -> Trust Center -> Trust Center Settings -> Email
               Security -> Settings, and choose this certificate for signing and encryption.

            Other clients (mutt, Evolution, KMail, ...)
            ------------------------------------------
            Import certificate.p12 wherever the client manages S/MIME certificates, or convert
            it with OpenSSL: openssl pkcs12 -in certificate.p12 -nodes (keep the output private).

            The certificate is self-signed: a client may say that it is "not trusted". That is
            expected; it does not weaken the encryption of your stored mail.
            """;
        return text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n";
    }

    private static void Add(ZipArchive zip, string name, byte[] content, DateTimeOffset modified)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = modified;
        using var stream = entry.Open();
        stream.Write(content);
    }
}

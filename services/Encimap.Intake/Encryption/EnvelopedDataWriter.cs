using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Encimap.Intake.Delivery;
using Encimap.Smtp;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Security;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Encimap.Intake.Encryption;

/// <summary>
/// CMS EnvelopedData (RFC 5652 §6) written as the content is read, with BouncyCastle's
/// <see cref="CmsEnvelopedDataStreamGenerator"/>: AES-256-CBC content encryption (RFC 3565), one
/// KeyTransRecipientInfo per certificate by issuer and serial number, the content-encryption key
/// wrapped with RSA PKCS#1 v1.5 or RSAES-OAEP with SHA-256 (RFC 8017, RFC 4055) by the platform's
/// RSA (<see cref="PlatformRsaKeyWrapper"/>). The output is
/// BER (indefinite lengths, the ciphertext in octet-string chunks), which RFC 5652 allows and
/// every CMS reader (OpenSSL, .NET, mail clients) accepts; memory stays at a buffer whatever the
/// message's size.
/// </summary>
public static class EnvelopedDataWriter
{
    private const int BufferSize = 64 * 1024;

    // Each certificate's recipient (BouncyCastle's form of the certificate and the platform's RSA
    // key), by its SHA-256 fingerprint and key transport, until the certificate expires: reading a
    // certificate's RSA key makes BouncyCastle check its modulus with a probable-prime test, and
    // importing it into OpenSSL showed in profiles too; both cost more than encrypting a 5 KB
    // message. By content, not by instance: a delivery may hold its own copy of a certificate
    // another one converted already.
    private static readonly ExpiringCache<string, PlatformRsaKeyWrapper> Recipients = new(10_000, TimeProvider.System, StringComparer.Ordinal);

    // The content-encryption keys and IVs come from here; seeding a generator of its own for every
    // message showed in profiles, and BouncyCastle's SecureRandom is safe to share between threads.
    private static readonly SecureRandom Random = new();

    /// <summary>Encrypts <paramref name="content"/> (from its position to its end) into <paramref name="output"/>.</summary>
    public static async Task WriteAsync(Stream content, IReadOnlyList<X509Certificate2> certificates, KeyTransport keyTransport, MessageSpool output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(output);
        if (certificates.Count == 0)
        {
            throw new ArgumentException("at least one certificate is needed", nameof(certificates));
        }

        var generator = new CmsEnvelopedDataStreamGenerator(Random);
        generator.SetBufferSize(BufferSize);
        try
        {
            foreach (var certificate in certificates)
            {
                var recipient = Recipient(certificate, keyTransport);
                generator.AddRecipientInfoGenerator(new KeyTransRecipientInfoGenerator(recipient.Certificate, recipient));
            }

            await using var sink = new SpoolWriteStream(output);
            await using var encrypting = generator.Open(sink, CmsEnvelopedGenerator.Aes256Cbc);
            await content.CopyToAsync(encrypting, BufferSize, cancellationToken);
        }
        catch (Exception e) when (e is CmsException or SecurityUtilityException or InvalidKeyException or ArgumentException && e is not ArgumentNullException)
        {
            throw new CryptographicException("a certificate cannot be used for key transport", e);
        }
    }

    private static PlatformRsaKeyWrapper Recipient(X509Certificate2 certificate, KeyTransport keyTransport)
    {
        var key = $"{certificate.GetCertHashString(HashAlgorithmName.SHA256)} {keyTransport}";
        if (!Recipients.TryGet(key, out var recipient))
        {
            recipient = PlatformRsaKeyWrapper.For(certificate, ToBouncyCastle(certificate), keyTransport);
            Recipients.Set(key, recipient, certificate.NotAfter);
        }

        return recipient;
    }

    private static BcCertificate ToBouncyCastle(X509Certificate2 certificate)
    {
        try
        {
            // Whether the key is RSA is checked where the platform's RSA key is made (PlatformRsaKeyWrapper).
            var parsed = new BcCertificate(certificate.RawData);

            // Read (and checked) once, here: the parsed certificate keeps its key.
            _ = parsed.GetPublicKey();
            return parsed;
        }
        catch (Exception e) when (e is not CryptographicException)
        {
            throw new CryptographicException("the certificate cannot be read", e);
        }
    }

    /// <summary>The generator writes synchronously into a stream: this one appends to the spool.</summary>
    private sealed class SpoolWriteStream(MessageSpool spool) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => spool.Length;

        public override long Position
        {
            get => spool.Length;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => spool.Write(buffer);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            spool.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            spool.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

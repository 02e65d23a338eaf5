using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Encimap.Contracts.Certificates;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Encimap.Certificates;

/// <summary>
/// Mints self-signed S/MIME certificates (SPEC "Certificates and keys") with
/// <see cref="CertificateRequest"/>: subject <c>CN=address, E=address</c>, SAN rfc822Name,
/// critical key usage digitalSignature + keyEncipherment, EKU emailProtection, CA:FALSE,
/// subject and authority key identifiers, a random positive 128-bit serial. The private key
/// leaves only wrapped (<see cref="PrivateKeyCustody"/>); nothing is stored here.
/// </summary>
public sealed class CertificateIssuer(
    RsaKeyPool pool,
    PrivateKeyCustody custody,
    IOptions<CertificateOptions> options,
    CertificateTelemetry telemetry,
    TimeProvider time)
{
    /// <summary>id-kp-emailProtection (RFC 5280 4.2.1.12).</summary>
    public const string EmailProtectionOid = "1.3.6.1.5.5.7.3.4";

    /// <summary>Clocks of mail clients and of other servers are not exact: a certificate is valid from a few minutes ago.</summary>
    public static readonly TimeSpan BackdateBy = TimeSpan.FromMinutes(5);

    private const int SerialBytes = 16;

    /// <summary>
    /// Issues a certificate for <paramref name="email"/>; 0 for <paramref name="validityDays"/> or
    /// <paramref name="keySizeBits"/> means the configured default.
    /// </summary>
    /// <exception cref="InvalidCertificateRequestException">The address, validity or key size is not acceptable.</exception>
    public IssuedCertificate Issue(string email, int validityDays = 0, int keySizeBits = 0, string reason = "request")
    {
        var settings = options.Value;
        var days = validityDays > 0 ? validityDays : settings.ValidityDays;
        if (validityDays < 0 || !CertificateOptions.IsValidValidity(days))
        {
            throw new InvalidCertificateRequestException(
                $"validity_days must be from {CertificateOptions.MinValidityDays} to {CertificateOptions.MaxValidityDays} (0: the default)");
        }
        var now = TruncateToSeconds(time.GetUtcNow());
        return Issue(email, now - BackdateBy, now.AddDays(days), keySizeBits, reason);
    }

    /// <summary>Issues a certificate valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    /// <exception cref="InvalidCertificateRequestException">The address, validity or key size is not acceptable.</exception>
    public IssuedCertificate Issue(string email, DateTimeOffset notBefore, DateTimeOffset notAfter, int keySizeBits, string reason)
    {
        if (EmailAddressRules.Check(email) is { } problem)
        {
            throw new InvalidCertificateRequestException(problem);
        }
        var bits = keySizeBits > 0 ? keySizeBits : options.Value.KeySizeBits;
        if (keySizeBits < 0 || !CertificateOptions.IsValidKeySize(bits))
        {
            throw new InvalidCertificateRequestException(
                $"key_size_bits must be a multiple of 1024 from {CertificateOptions.MinKeySizeBits} to {CertificateOptions.MaxKeySizeBits} (0: the default)");
        }
        notBefore = TruncateToSeconds(notBefore);
        notAfter = TruncateToSeconds(notAfter);
        if (notAfter <= notBefore)
        {
            throw new InvalidCertificateRequestException("the certificate must end after it starts");
        }

        using var activity = CertificateTelemetry.Start("certificates.issue");
        activity?.SetTag("encimap.certificate.key_size", bits);
        activity?.SetTag("encimap.certificate.reason", reason);

        using var rsa = pool.Take(bits);
        var subject = BuildSubject(email);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(
            certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(EmailProtectionOid, "Secure Email")], critical: false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddEmailAddress(email);
        request.CertificateExtensions.Add(san.Build(critical: false));
        var subjectKeyIdentifier = new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false);
        request.CertificateExtensions.Add(subjectKeyIdentifier);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(subjectKeyIdentifier));

        var serial = NewSerialNumber();
        var generator = X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1);
        using var certificate = request.Create(subject, generator, notBefore, notAfter, serial);
        var der = certificate.RawData;
        var thumbprint = Convert.ToHexStringLower(SHA256.HashData(der));

        var pkcs8 = rsa.ExportPkcs8PrivateKey();
        WrappedPrivateKey wrapped;
        try
        {
            wrapped = custody.Wrap(pkcs8, thumbprint);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }

        telemetry.Issued.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("key_size", bits));
        activity?.SetTag("encimap.certificate.thumbprint", thumbprint);
        return new IssuedCertificate
        {
            CertificateDer = ByteString.CopyFrom(der),
            SerialNumber = Convert.ToHexStringLower(serial),
            ThumbprintSha256 = thumbprint,
            NotBefore = Timestamp.FromDateTimeOffset(notBefore),
            NotAfter = Timestamp.FromDateTimeOffset(notAfter),
            PrivateKey = wrapped,
        };
    }

    private static X500DistinguishedName BuildSubject(string email)
    {
        // The builder encodes the last-added RDN first: this encodes CN, then emailAddress, which
        // OpenSSL shows as "CN = a@b, emailAddress = a@b" (.NET shows the reverse, "E=a@b, CN=a@b").
        var builder = new X500DistinguishedNameBuilder();
        builder.AddEmailAddress(email);
        builder.AddCommonName(email);
        return builder.Build();
    }

    /// <summary>16 random bytes as a positive DER INTEGER without a leading zero byte: 126 random
    /// bits, far above the 64 that CA/Browser Forum rules ask for, within RFC 5280's 20 octets.</summary>
    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(SerialBytes);
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40);
        return serial;
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeSeconds(value.ToUnixTimeSeconds());
}

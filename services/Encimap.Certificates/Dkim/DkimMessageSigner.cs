using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Encimap.Contracts.Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace Encimap.Certificates.Dkim;

/// <summary>
/// Signs messages with their domain's DKIM key (MimeKit's <see cref="DkimSigner"/>): relaxed/relaxed
/// canonicalization, the header fields of <see cref="DkimSignedHeaders"/>. The private key is
/// unwrapped for one signature and never leaves the service: the caller gets the DKIM-Signature
/// field to put in front of the very bytes it sent.
/// </summary>
public sealed partial class DkimMessageSigner(
    DkimKeyProvider keys,
    PrivateKeyCustody custody,
    CertificateTelemetry telemetry,
    IOptions<DkimOptions> options,
    ILogger<DkimMessageSigner> logger)
{
    private static readonly FormatOptions Crlf = CrlfFormat();

    /// <summary>The DKIM-Signature field (ending in CRLF) for <paramref name="message"/>, and the selector it names.</summary>
    /// <exception cref="InvalidDkimRequestException">A bad domain, or an empty or oversized message.</exception>
    public async Task<(byte[] Field, string Selector)> SignAsync(string domain, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        if (message.IsEmpty)
        {
            throw new InvalidDkimRequestException("message is empty");
        }

        if (message.Length > options.Value.MaxMessageBytes)
        {
            throw new InvalidDkimRequestException($"message is larger than {options.Value.MaxMessageBytes} bytes");
        }

        using var activity = CertificateTelemetry.Start("certificates.dkim_sign");
        activity?.SetTag("encimap.dkim.domain", domain);
        var key = await keys.GetOrCreateAsync(domain, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("encimap.dkim.selector", key.Selector);

        MimeMessage parsed;
        using (var stream = AsStream(message))
        {
            parsed = await MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        var signer = new DkimSigner(UnwrapPrivateKey(key), key.Domain, key.Selector, SignatureAlgorithm(key.Algorithm))
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        signer.Sign(Crlf, parsed, DkimSignedHeaders.For(parsed));
        telemetry.DkimSignatures.Add(1, new KeyValuePair<string, object?>("algorithm", key.Algorithm));
        var field = parsed.Headers.FirstOrDefault(header => header.Id == HeaderId.DkimSignature)
            ?? throw new InvalidOperationException("MimeKit added no DKIM-Signature field.");
        return (FieldBytes(field), key.Selector);
    }

    private AsymmetricKeyParameter UnwrapPrivateKey(StoredDkimKey key)
    {
        byte[] pkcs8;
        try
        {
            pkcs8 = custody.UnwrapDkimKey(key.PrivateKey, key.Domain, key.Selector);
        }
        catch (CryptographicException e)
        {
            // Which key and which KEK: enough for an operator, nothing about the key itself.
            LogUnwrapFailed(logger, key.Domain, key.Selector, key.PrivateKey.KekId, e.GetType().Name);
            throw;
        }

        try
        {
            return PrivateKeyFactory.CreateKey(pkcs8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    // A read-only view of the caller's bytes, not a copy: messages run to tens of megabytes.
    private static MemoryStream AsStream(ReadOnlyMemory<byte> message) =>
        MemoryMarshal.TryGetArray(message, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(message.ToArray(), writable: false);

    private static DkimSignatureAlgorithm SignatureAlgorithm(string algorithm) => algorithm switch
    {
        DkimAlgorithms.RsaSha256 => DkimSignatureAlgorithm.RsaSha256,
        DkimAlgorithms.Ed25519Sha256 => DkimSignatureAlgorithm.Ed25519Sha256,
        _ => throw new InvalidOperationException($"A stored DKIM key has the unknown algorithm '{algorithm}'."),
    };

    /// <summary>"DKIM-Signature:" and the folded value as MimeKit wrote it, every line ending in CRLF.</summary>
    private static byte[] FieldBytes(Header field)
    {
        var value = Encoding.ASCII.GetString(field.RawValue).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
        return Encoding.ASCII.GetBytes($"{field.Field}:{value.Replace("\n", "\r\n", StringComparison.Ordinal)}\r\n");
    }

    private static FormatOptions CrlfFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The DKIM key of {Domain} (selector {Selector}, KEK {KekId}) could not be unwrapped: {Error}")]
    private static partial void LogUnwrapFailed(ILogger logger, string domain, string selector, string kekId, string error);
}

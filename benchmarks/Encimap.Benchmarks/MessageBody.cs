using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Encimap.Benchmarks;

/// <summary>
/// What follows a benchmark message's own header fields: the rest of its header, the empty line
/// and a body of about <see cref="Length"/> octets in 76-character base64 lines, written to the
/// SMTP DATA stream (dot-stuffing needs no care: no line starts with a dot).
/// </summary>
internal sealed class MessageBody
{
    private static readonly ConcurrentDictionary<int, MessageBody> EncryptedBySize = new();

    private readonly byte[] _head;
    private readonly byte[] _chunk;
    private readonly int _repeat;

    /// <summary>The body is <paramref name="chunk"/> written <paramref name="repeat"/> times after <paramref name="head"/>.</summary>
    private MessageBody(byte[] head, byte[] chunk, int repeat)
    {
        _head = head;
        _chunk = chunk;
        _repeat = repeat;
    }

    /// <summary>Octets after the caller's header fields.</summary>
    public long Length => _head.Length + (long)_chunk.Length * _repeat;

    /// <summary>A plaintext body of about <paramref name="size"/> octets: 64 KiB of base64 lines, repeated (as a base64 attachment has).</summary>
    public static MessageBody Plain(int size)
    {
        var text = new StringBuilder(64 * 1024);
        var line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0";
        while (text.Length + line.Length + 2 <= 64 * 1024)
        {
            text.Append(line).Append("\r\n");
        }

        var chunk = Encoding.ASCII.GetBytes(text.ToString());
        return new MessageBody("\r\n"u8.ToArray(), chunk, (size + chunk.Length - 1) / chunk.Length);
    }

    /// <summary>
    /// An S/MIME enveloped-data message (RFC 8551 §3.3) of about <paramref name="size"/> octets:
    /// random content encrypted with AES-256-CBC to a throwaway RSA certificate, made once per size.
    /// </summary>
    public static MessageBody AlreadyEncrypted(int size) => EncryptedBySize.GetOrAdd(size, static size =>
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=benchmark recipient", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Base64 lines of 76 characters and CRLF carry 57 octets in 78: the DER is about 57/78 of the body.
        var content = RandomNumberGenerator.GetBytes((int)(size * 57L / 78) - 1024);
        var enveloped = new EnvelopedCms(new ContentInfo(content), new AlgorithmIdentifier(new Oid("2.16.840.1.101.3.4.1.42")));
        enveloped.Encrypt(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, certificate));
        var head = Encoding.ASCII.GetBytes(
            "MIME-Version: 1.0\r\n" +
            "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n" +
            "Content-Transfer-Encoding: base64\r\n" +
            "Content-Disposition: attachment; filename=smime.p7m\r\n\r\n");
        var body = Convert.ToBase64String(enveloped.Encode(), Base64FormattingOptions.InsertLineBreaks);
        return new MessageBody(head, Encoding.ASCII.GetBytes(body + "\r\n"), 1);
    });

    public async Task WriteAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_head, cancellationToken);
        for (var i = 0; i < _repeat; i++)
        {
            await stream.WriteAsync(_chunk, cancellationToken);
        }
    }
}

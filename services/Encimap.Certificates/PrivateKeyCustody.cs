using System.Security.Cryptography;
using System.Text;
using Encimap.Contracts.Certificates;
using Google.Protobuf;

namespace Encimap.Certificates;

/// <summary>
/// Wraps PKCS#8 private keys with AES-256-GCM under the current KEK, and unwraps them. The
/// associated data binds a wrapped key to what it belongs to (a certificate's thumbprint, or a
/// DKIM key's domain and selector), so a wrapped key copied onto another row does not unwrap;
/// the KEK id travels with the wrapped key, so keys wrapped before a KEK rotation keep unwrapping.
/// </summary>
public sealed class PrivateKeyCustody(KeyEncryptionKeyRing keks)
{
    /// <summary>The <c>algorithm</c> recorded with every key wrapped here (JOSE's name for AES-256-GCM).</summary>
    public const string Algorithm = "A256GCM";

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const string AssociatedDataPrefix = "encimap-key-v1:";
    private const string DkimAssociatedDataPrefix = "encimap-dkim-key-v1:";

    /// <summary>The id of the KEK that new wraps use.</summary>
    public string CurrentKekId => keks.CurrentId;

    /// <summary>Encrypts <paramref name="pkcs8"/> for the certificate <paramref name="thumbprintSha256"/> (lower-case hex).</summary>
    public WrappedPrivateKey Wrap(ReadOnlySpan<byte> pkcs8, string thumbprintSha256)
    {
        ArgumentException.ThrowIfNullOrEmpty(thumbprintSha256);
        return Wrap(pkcs8, AssociatedData(thumbprintSha256));
    }

    /// <summary>Encrypts the PKCS#8 DKIM key of <paramref name="domain"/> published under <paramref name="selector"/>.</summary>
    public WrappedPrivateKey WrapDkimKey(ReadOnlySpan<byte> pkcs8, string domain, string selector) =>
        Wrap(pkcs8, DkimAssociatedData(domain, selector));

    /// <summary>
    /// Decrypts the wrapped DKIM key of <paramref name="domain"/> and <paramref name="selector"/>
    /// into a new array holding the PKCS#8 key, which the caller must zero. Throws
    /// <see cref="CryptographicException"/> as <see cref="Unwrap(WrappedPrivateKey, string)"/> does.
    /// </summary>
    public byte[] UnwrapDkimKey(WrappedPrivateKey wrapped, string domain, string selector) =>
        Unwrap(wrapped, DkimAssociatedData(domain, selector));

    private WrappedPrivateKey Wrap(ReadOnlySpan<byte> pkcs8, byte[] associatedData)
    {
        var kekId = keks.CurrentId;
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var ciphertext = new byte[pkcs8.Length];
        var tag = new byte[TagSize];
        using (var aes = new AesGcm(keks.Get(kekId), TagSize))
        {
            aes.Encrypt(nonce, pkcs8, ciphertext, tag, associatedData);
        }
        return new WrappedPrivateKey
        {
            KekId = kekId,
            Algorithm = Algorithm,
            Nonce = ByteString.CopyFrom(nonce),
            Ciphertext = ByteString.CopyFrom(ciphertext),
            Tag = ByteString.CopyFrom(tag),
        };
    }

    /// <summary>
    /// Decrypts a wrapped key of the certificate <paramref name="thumbprintSha256"/> into a new
    /// array holding the PKCS#8 key: the caller must zero it (<see cref="CryptographicOperations.ZeroMemory"/>).
    /// Throws <see cref="CryptographicException"/> for an unknown KEK or algorithm and when
    /// authentication fails (wrong KEK, tampered bytes, another certificate's key).
    /// </summary>
    public byte[] Unwrap(WrappedPrivateKey wrapped, string thumbprintSha256)
    {
        ArgumentException.ThrowIfNullOrEmpty(thumbprintSha256);
        return Unwrap(wrapped, AssociatedData(thumbprintSha256));
    }

    private byte[] Unwrap(WrappedPrivateKey wrapped, byte[] associatedData)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        if (wrapped.Algorithm != Algorithm)
        {
            throw new CryptographicException($"Unknown key wrapping algorithm '{wrapped.Algorithm}'.");
        }
        if (wrapped.Nonce.Length != NonceSize || wrapped.Tag.Length != TagSize)
        {
            throw new CryptographicException("The wrapped key's nonce or tag has the wrong size.");
        }
        var plaintext = new byte[wrapped.Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(keks.Get(wrapped.KekId), TagSize);
            aes.Decrypt(wrapped.Nonce.Span, wrapped.Ciphertext.Span, wrapped.Tag.Span, plaintext, associatedData);
            return plaintext;
        }
        catch
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw;
        }
    }

    /// <summary>Unwraps straight into an RSA key; the intermediate PKCS#8 bytes are zeroed.</summary>
    public RSA UnwrapRsa(WrappedPrivateKey wrapped, string thumbprintSha256)
    {
        var pkcs8 = Unwrap(wrapped, thumbprintSha256);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportPkcs8PrivateKey(pkcs8, out var read);
            if (read != pkcs8.Length)
            {
                throw new CryptographicException("The unwrapped private key has trailing data.");
            }
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private static byte[] AssociatedData(string thumbprintSha256) =>
        Encoding.ASCII.GetBytes(AssociatedDataPrefix + thumbprintSha256.ToLowerInvariant());

    // A distinct prefix: a DKIM key can never pass for a certificate's key, nor the reverse.
    private static byte[] DkimAssociatedData(string domain, string selector)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        ArgumentException.ThrowIfNullOrEmpty(selector);
        return Encoding.ASCII.GetBytes($"{DkimAssociatedDataPrefix}{domain.ToLowerInvariant()}:{selector.ToLowerInvariant()}");
    }
}

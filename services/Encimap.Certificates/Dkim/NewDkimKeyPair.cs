using System.Security.Cryptography;

namespace Encimap.Certificates.Dkim;

/// <summary>A freshly generated key pair: the PKCS#8 private key (zero it with <see cref="Dispose"/>) and the public key as DNS publishes it.</summary>
public sealed class NewDkimKeyPair(string algorithm, byte[] privateKeyPkcs8, byte[] publicKey) : IDisposable
{
    public string Algorithm { get; } = algorithm;

    public byte[] PrivateKeyPkcs8 { get; } = privateKeyPkcs8;

    public byte[] PublicKey { get; } = publicKey;

    public void Dispose() => CryptographicOperations.ZeroMemory(PrivateKeyPkcs8);
}

using Encimap.Contracts.Certificates;

namespace Encimap.Storage;

/// <summary>A row of <c>vaultbox_certs</c> with its wrapped private key (<c>vaultbox_private_keys</c>).</summary>
/// <param name="Id">The certificate's id.</param>
/// <param name="VaultboxId">The vaultbox it belongs to.</param>
/// <param name="CertificateDer">The X.509 certificate, DER.</param>
/// <param name="SerialNumber">Lower-case hex.</param>
/// <param name="ThumbprintSha256">Lower-case hex SHA-256 of the DER.</param>
/// <param name="Subject">The subject distinguished name.</param>
/// <param name="NotBefore">Start of validity.</param>
/// <param name="NotAfter">End of validity.</param>
/// <param name="Status"><c>active</c>, <c>revoked</c> or <c>expired</c>.</param>
/// <param name="PrivateKey">The private key, still wrapped; null when the row has none.</param>
public sealed record StoredCertificate(
    Guid Id,
    Guid VaultboxId,
    byte[] CertificateDer,
    string SerialNumber,
    string ThumbprintSha256,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Status,
    WrappedPrivateKey? PrivateKey);

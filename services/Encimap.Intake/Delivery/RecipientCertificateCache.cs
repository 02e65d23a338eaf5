using System.Security.Cryptography.X509Certificates;
using Encimap.Intake.Infrastructure;
using Microsoft.Extensions.Options;

namespace Encimap.Intake.Delivery;

/// <summary>
/// The certificates mail to a vaultbox is encrypted to, remembered for a short time
/// (<see cref="IntakeOptions.CertificateCacheTtl"/>, 30 s by default) so that a burst of mail to
/// one vaultbox does not ask the certificate service once per message.
/// <para>
/// Freshness: an entry is never older than the TTL, so a newly issued or renewed certificate is
/// used for every delivery that starts at most one TTL after it was issued, and until then mail is
/// still encrypted to the certificates that were active (they stay active across a renewal: mail
/// goes to every active certificate). An entry also ends when its first certificate expires. Only
/// answers with at least one certificate are kept: a vaultbox without one is asked again on the
/// next delivery, and a failed lookup is never remembered.
/// </para>
/// <para>
/// Entries hold parsed certificates, shared by concurrent deliveries: encryption only reads them,
/// and parsing one costs more than encrypting a small message to it. A certificate that leaves
/// the cache may still be in use, so it is not disposed here; the garbage collector releases it.
/// </para>
/// </summary>
public sealed class RecipientCertificateCache(IOptions<IntakeOptions> options, TimeProvider time)
{
    /// <summary>Vaultboxes remembered at most; past it, expired entries are dropped, then all.</summary>
    public const int MaxEntries = 10_000;

    private readonly TimeSpan _ttl = options.Value.CertificateCacheTtl;
    private readonly ExpiringCache<Guid, X509Certificate2[]> _entries = new(MaxEntries, time);

    public bool Enabled => _ttl > TimeSpan.Zero;

    /// <summary>The certificates remembered for the vaultbox, or false when none are fresh. Callers must not dispose them.</summary>
    public bool TryGet(Guid vaultboxId, out IReadOnlyList<X509Certificate2> certificates)
    {
        if (Enabled && _entries.TryGet(vaultboxId, out var found))
        {
            certificates = found;
            return true;
        }

        certificates = [];
        return false;
    }

    /// <summary>
    /// Remembers what the certificate service answered (each certificate and its end of validity).
    /// Returns whether the cache keeps the certificates (then it owns them: callers must not dispose them).
    /// </summary>
    public bool Set(Guid vaultboxId, IReadOnlyList<(X509Certificate2 Certificate, DateTimeOffset NotAfter)> certificates)
    {
        if (!Enabled || certificates.Count == 0)
        {
            return false;
        }

        var now = _entries.Now;
        var expires = now + _ttl;
        foreach (var (_, notAfter) in certificates)
        {
            if (notAfter < expires)
            {
                expires = notAfter;
            }
        }

        if (expires <= now)
        {
            return false;
        }

        _entries.Set(vaultboxId, certificates.Select(c => c.Certificate).ToArray(), expires);
        return true;
    }
}

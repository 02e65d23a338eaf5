using System.Net;

namespace Encimap.Intake.Infrastructure;

/// <summary>The <c>Intake</c> configuration section.</summary>
public sealed class IntakeOptions
{
    public const string Section = "Intake";

    /// <summary>Largest message accepted (the raw RFC 5322 bytes): 50 MiB by default.</summary>
    public int MaxMessageBytes { get; set; } = 50 * 1024 * 1024;

    /// <summary>
    /// Bearer secret of <c>POST /intake/{id}</c>. When set, every HTTP intake request must carry
    /// <c>Authorization: Bearer {token}</c>; when empty, only loopback callers are accepted.
    /// </summary>
    public string? HttpToken { get; set; }

    /// <summary>The "by" host of the Received: line this hop adds; the machine's host name when empty.</summary>
    public string? HostName { get; set; }

    /// <summary>
    /// How long a delivery is remembered for duplicate detection: a retried identical delivery
    /// within this window is answered DUPLICATE with the original UID.
    /// </summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Deadline of the certificate service call of one delivery.</summary>
    public TimeSpan CertificateLookupTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a vaultbox's recipient certificates are reused before the certificate service is
    /// asked again (see <c>RecipientCertificateCache</c>): a newly issued certificate receives mail
    /// at the latest this long after it was issued. Zero asks on every delivery.
    /// </summary>
    public TimeSpan CertificateCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an address's route is reused for deliveries before it is resolved again (see
    /// <c>RecipientRouteCache</c>). The commit confirms every remembered route, so this bounds
    /// work, not correctness. Zero resolves on every delivery.
    /// </summary>
    public TimeSpan RouteCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most recipients one Deliver call may name (RFC 5321 asks servers to take at least 100).</summary>
    public int MaxRecipients { get; set; } = 1000;

    /// <summary>
    /// Partitions of the group commit (see <c>GroupCommitQueue</c>): how many transactions for
    /// different vaultboxes may run at once.
    /// </summary>
    public int CommitPartitions { get; set; } = 4;

    /// <summary>Most deliveries stored by one transaction of the group commit.</summary>
    public int MaxDeliveriesPerCommit { get; set; } = 64;

    /// <summary>Encrypted bytes after which a group commit stops adding deliveries to its transaction.</summary>
    public long MaxBytesPerCommit { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Where a message in transit and its EnvelopedData go once they outgrow a spool's memory
    /// (1 MiB each): files of mode 0600, unlinked as soon as the delivery ends. Empty: the
    /// system's temporary directory. The plaintext of a large message lies there while it is
    /// encrypted: put it on tmpfs or an encrypted disk.
    /// </summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>The host name used in Received: lines.</summary>
    public string EffectiveHostName =>
        string.IsNullOrWhiteSpace(HostName) ? Dns.GetHostName().ToLowerInvariant() : HostName.Trim();
}

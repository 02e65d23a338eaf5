using System.Text.Json;
using Encimap.SmtpGateway.Submission;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.SmtpGateway.Relay;

/// <summary>
/// A claimed queue row. <see cref="SigningDomain"/> is the domain whose DKIM key signs it when
/// relayed: its vaultbox's domain (null for a MotorBlock's mail).
/// </summary>
public sealed record OutboundMessage(
    Guid Id,
    Guid? VaultboxId,
    Guid? MotorBlockId,
    string EnvelopeFrom,
    IReadOnlyList<string> Recipients,
    IReadOnlyList<string> DoneRecipients,
    IReadOnlyList<RecipientFailure> Failures,
    byte[] Content,
    string Status,
    int Attempts,
    DateTime CreatedAt,
    bool SentCopyPending,
    bool BouncePending,
    byte[]? BounceContent,
    string? LastError,
    DateTime LeaseExpiry,
    string? SigningDomain = null)
{
    /// <summary>True when the relay itself is due (not only follow-ups).</summary>
    public bool RelayDue => Status == "sending";

    public IEnumerable<string> PendingRecipients => Recipients.Except(DoneRecipients, StringComparer.OrdinalIgnoreCase);
}

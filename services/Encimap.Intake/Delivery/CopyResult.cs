using Encimap.Intake.Encryption;

namespace Encimap.Intake.Delivery;

/// <summary>The committed result for one vaultbox.</summary>
public sealed record CopyResult(Guid VaultboxId, CopyOutcome Outcome, long MailboxId, uint Uid);

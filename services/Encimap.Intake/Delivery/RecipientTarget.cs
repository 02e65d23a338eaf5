using Encimap.Intake.Encryption;

namespace Encimap.Intake.Delivery;

/// <summary>One recipient of a delivery and the vaultbox it resolved to (null: unknown).</summary>
public sealed record RecipientTarget(string Recipient, VaultboxRoute? Route);

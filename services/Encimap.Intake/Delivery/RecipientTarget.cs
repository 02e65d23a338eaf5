using Encimap.Intake.Encryption;

namespace Encimap.Intake.Delivery;

/// <summary>One recipient of a delivery and the vaultbox it resolved to (null: unknown).</summary>
/// <param name="Recipient">The recipient as given.</param>
/// <param name="Route">The vaultbox it resolved to, or null.</param>
/// <param name="RouteAddress">
/// The normalized address whose route was found (through <c>mail_routes</c>); the commit checks it
/// still routes there. Null when the vaultbox was chosen by id.
/// </param>
/// <param name="Remembered">The route came from memory, not from the database just now: it may be stale.</param>
public sealed record RecipientTarget(string Recipient, VaultboxRoute? Route, string? RouteAddress = null, bool Remembered = false);

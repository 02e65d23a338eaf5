using Encimap.Intake.Encryption;

namespace Encimap.Intake.Delivery;

/// <summary>A vaultbox that a recipient resolved to, with what its copy of a message needs.</summary>
/// <param name="VaultboxId">The vaultbox.</param>
/// <param name="ToAlias">The local part the message was addressed to (<c>messages.to_alias</c>).</param>
/// <param name="HideSubject">Whether the outer Subject is hidden.</param>
/// <param name="KeyTransport">RSA PKCS#1 v1.5 or OAEP.</param>
/// <param name="DmarcEnforcement">The vaultbox's override of the MX's DMARC enforcement ("enforce", "quarantine", "monitor"); null: the deployment's.</param>
public sealed record VaultboxRoute(Guid VaultboxId, string ToAlias, bool HideSubject, KeyTransport KeyTransport, string? DmarcEnforcement = null);

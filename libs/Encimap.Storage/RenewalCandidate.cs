using Encimap.Contracts.Certificates;

namespace Encimap.Storage;

/// <summary>A vaultbox whose newest usable certificate ends before the renewal threshold.</summary>
/// <param name="VaultboxId">The vaultbox.</param>
/// <param name="Address">Its address, <c>alias@domain</c>.</param>
/// <param name="NewestNotAfter">When its newest active (or expired) certificate ends.</param>
public sealed record RenewalCandidate(Guid VaultboxId, string Address, DateTimeOffset NewestNotAfter);

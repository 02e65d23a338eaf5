namespace Encimap.Api.Vaultboxes;

/// <summary><c>alias@domain</c> already belongs to a vaultbox (unique across the system).</summary>
public sealed class AddressTakenException(string address) : Exception($"{address} is already taken");

namespace Encimap.Api.Vaultboxes;

/// <summary>Body of <c>POST /s2s/v1/vaultboxes</c>.</summary>
public sealed record CreateVaultboxRequest(string? UserId, string? Domain, string? Name, string? Alias);

namespace Encimap.Api.Credentials;

/// <summary>A stored credential, without its hash.</summary>
public sealed record CredentialRecord(Guid Id, string Username, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

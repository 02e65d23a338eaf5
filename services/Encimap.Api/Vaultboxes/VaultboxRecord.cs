namespace Encimap.Api.Vaultboxes;

/// <summary>A vaultbox as the API lists it.</summary>
public sealed record VaultboxRecord(
    Guid Id,
    string Domain,
    string Alias,
    string? Name,
    bool HasCerts,
    long MessageCount,
    DateTimeOffset CreatedAt,
    string? DmarcEnforcement)
{
    public string Address => $"{Alias}@{Domain}";

    public object ToResponse() => new
    {
        id = Id,
        domain = Domain,
        alias = Alias,
        name = Name,
        address = Address,
        has_certs = HasCerts,
        message_count = MessageCount,
        created_at = CreatedAt,
        dmarc_enforcement = DmarcEnforcement,
    };
}

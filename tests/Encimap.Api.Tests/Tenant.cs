using Encimap.Testing;

namespace Encimap.Api.Tests;

/// <summary>A platform user with a domain of its own, made for one test.</summary>
public sealed record Tenant(Guid UserId, string Domain)
{
    public static async Task<Tenant> CreateAsync(EncimapFleet fleet, string verification = "verified")
    {
        var (userId, domain) = await fleet.AddUserWithDomainAsync(verification);
        return new Tenant(userId, domain);
    }

    public Task<string> AddDomainAsync(EncimapFleet fleet, string verification) => fleet.AddDomainAsync(UserId, verification);
}

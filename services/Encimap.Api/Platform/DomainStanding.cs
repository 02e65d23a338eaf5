namespace Encimap.Api.Platform;

/// <summary>Whether a user may create vaultboxes on a domain.</summary>
public enum DomainStanding
{
    Verified,
    NotVerified,
    NotOwned,
    UnknownUser,
}

namespace Encimap.Api.Vaultboxes;

/// <summary>
/// The values of a vaultbox's <c>dmarc_enforcement</c>, the same as the MX's deployment-wide
/// <c>Smtp:Mx:Authentication:DmarcEnforcement</c>: what a message failing its sender domain's
/// DMARC policy does for this vaultbox. Null (absent) means the deployment's setting.
/// </summary>
public static class DmarcEnforcementSetting
{
    /// <summary>p=reject: 550 5.7.1 at the end of DATA; p=quarantine: stored in Junk.</summary>
    public const string Enforce = "enforce";

    /// <summary>p=reject and p=quarantine: stored in Junk; nothing refused.</summary>
    public const string Quarantine = "quarantine";

    /// <summary>Only the Authentication-Results field: stored in INBOX.</summary>
    public const string Monitor = "monitor";

    public static readonly IReadOnlyList<string> All = [Enforce, Quarantine, Monitor];

    /// <summary>The stored form of <paramref name="value"/> (lower-case), or null when it is not one of <see cref="All"/>.</summary>
    public static string? Normalize(string value) =>
        All.FirstOrDefault(known => known.Equals(value.Trim(), StringComparison.OrdinalIgnoreCase));
}

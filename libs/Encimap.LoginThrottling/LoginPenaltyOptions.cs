namespace Encimap.LoginThrottling;

/// <summary>How failed logins are penalized (configuration, e.g. section <c>Imap:LoginPenalty</c>).</summary>
public sealed class LoginPenaltyOptions
{
    /// <summary>
    /// The answer delay of every failed login, and the wait before the next attempt from an
    /// address with one failure; the wait doubles with each further failure from that address.
    /// </summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait before an attempt from a penalized address is checked.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Failures as one username from one address after which that address may no longer try that username.</summary>
    public int MaxFailuresPerAddressAndUsername { get; set; } = 10;

    /// <summary>
    /// Failures from one address, whatever the username, after which the address may no longer
    /// try any. Larger than the per-username limit: many users may share one address (NAT).
    /// </summary>
    public int MaxFailuresPerAddress { get; set; } = 50;

    /// <summary>A penalty is forgotten this long after its last failure.</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The most penalties (addresses plus address-and-username pairs) kept in memory.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>IPv6 clients are penalized per prefix of this length: one host usually holds a whole /64.</summary>
    public int Ipv6PrefixLength { get; set; } = 64;
}

namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// <c>Smtp:Mx:Authentication</c>: SPF, DKIM and DMARC on inbound mail, the name servers their
/// look-ups go to, and what a failed DMARC policy does to the message.
/// </summary>
public sealed class AuthenticationOptions
{
    /// <summary>Off: no checks and no Authentication-Results field (incoming ones claiming our authserv-id are still removed).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The authserv-id of the Authentication-Results field (RFC 8601 §2.5); empty: <c>Smtp:HostName</c>.</summary>
    public string AuthServId { get; set; } = "";

    /// <summary>
    /// Comma-separated "address" or "address:port" ("127.0.0.1:5353", "[::1]:53"); empty: the
    /// system's resolvers (/etc/resolv.conf).
    /// </summary>
    public string NameServers { get; set; } = "";

    /// <summary>
    /// Time one DNS query may take before it is sent again or counted as a temporary error. Short,
    /// with retries: a lost UDP datagram (resolvers drop queries under load) costs one time-out,
    /// not the message's whole wait.
    /// </summary>
    public TimeSpan DnsTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Retries of a DNS query that timed out.</summary>
    public int DnsRetries { get; set; } = 2;

    /// <summary>Whether answers are kept for their TTL (DnsClient's cache).</summary>
    public bool DnsCache { get; set; } = true;

    /// <summary>
    /// How long an answer without records (NXDOMAIN, no data, or a server failure) is kept when
    /// <see cref="DnsCache"/> is on; zero: not kept. Most senders publish no DMARC record and many
    /// no SPF record, so without negative caching (RFC 2308) every message from them asks the
    /// resolver again. RFC 2308 §7.1 allows a server failure to be kept up to five minutes.
    /// </summary>
    public TimeSpan NegativeCacheDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>What a failed DMARC check does with the sender's policy (deployment-wide).</summary>
    public DmarcEnforcement DmarcEnforcement { get; set; } = DmarcEnforcement.Enforce;
}

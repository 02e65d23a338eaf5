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

    /// <summary>Time one DNS query may take before it is retried or counted as a temporary error.</summary>
    public TimeSpan DnsTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Retries of a DNS query that timed out.</summary>
    public int DnsRetries { get; set; } = 1;

    /// <summary>Whether answers are kept for their TTL (DnsClient's cache).</summary>
    public bool DnsCache { get; set; } = true;

    /// <summary>What a failed DMARC check does with the sender's policy (deployment-wide).</summary>
    public DmarcEnforcement DmarcEnforcement { get; set; } = DmarcEnforcement.Enforce;
}

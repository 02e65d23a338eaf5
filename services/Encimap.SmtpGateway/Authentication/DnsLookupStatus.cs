namespace Encimap.SmtpGateway.Authentication;

/// <summary>How a DNS query ended, as SPF, DKIM and DMARC tell them apart.</summary>
public enum DnsLookupStatus
{
    /// <summary>The name has records of the type (the list may still be empty after filtering).</summary>
    Found,

    /// <summary>NXDOMAIN, or the name exists without records of the type (NODATA).</summary>
    NotFound,

    /// <summary>Time-out, SERVFAIL, REFUSED, unreachable server: a temporary error.</summary>
    Failed,
}

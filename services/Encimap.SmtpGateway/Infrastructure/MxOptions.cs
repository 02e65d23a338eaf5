using Encimap.SmtpGateway.Authentication;

namespace Encimap.SmtpGateway.Infrastructure;

public sealed class MxOptions : ListenerOptions
{
    /// <summary>Deadline of each intake call (recipient lookup and delivery).</summary>
    public TimeSpan IntakeTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long an address found by the intake is accepted at RCPT TO without asking again. Only
    /// found addresses are remembered: a vaultbox created a moment ago is never refused with a
    /// cached 550. The delivery itself resolves every recipient afresh, so a vaultbox removed
    /// meanwhile answers 550 after DATA. Zero asks on every RCPT.
    /// </summary>
    public TimeSpan RecipientCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most addresses the RCPT TO cache holds; it starts afresh when full.</summary>
    public int RecipientCacheSize { get; set; } = 100_000;

    /// <summary>SPF, DKIM and DMARC on inbound mail (<c>Smtp:Mx:Authentication</c>).</summary>
    public AuthenticationOptions Authentication { get; set; } = new();
}

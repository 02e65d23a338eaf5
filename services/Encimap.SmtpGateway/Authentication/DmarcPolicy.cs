namespace Encimap.SmtpGateway.Authentication;

/// <summary>The p= (or sp=) of a DMARC record (RFC 7489 §6.3).</summary>
public enum DmarcPolicy
{
    None,
    Quarantine,
    Reject,
}

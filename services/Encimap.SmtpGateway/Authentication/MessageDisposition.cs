namespace Encimap.SmtpGateway.Authentication;

/// <summary>What the MX does with a message after the checks.</summary>
public enum MessageDisposition
{
    /// <summary>Store in INBOX.</summary>
    Accept,

    /// <summary>Store in Junk (DMARC p=quarantine).</summary>
    Quarantine,

    /// <summary>Refuse with 550 5.7.1 (DMARC p=reject).</summary>
    Reject,
}

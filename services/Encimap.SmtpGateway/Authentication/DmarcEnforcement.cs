namespace Encimap.SmtpGateway.Authentication;

/// <summary>How far this deployment follows a sender domain's DMARC policy when the check fails.</summary>
public enum DmarcEnforcement
{
    /// <summary><c>p=reject</c>: 550 5.7.1 at the end of DATA; <c>p=quarantine</c>: stored in Junk.</summary>
    Enforce,

    /// <summary>Both <c>p=reject</c> and <c>p=quarantine</c> store the message in Junk: nothing is refused.</summary>
    Quarantine,

    /// <summary>Only the Authentication-Results field: every message goes to INBOX.</summary>
    Monitor,
}

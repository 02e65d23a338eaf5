namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>Why the intake did not take a message or answer a lookup.</summary>
public enum IntakeFailure
{
    /// <summary>The message is larger than the intake accepts.</summary>
    TooLarge,

    /// <summary>The intake refused the request as malformed: sending it again would not help.</summary>
    Refused,

    /// <summary>
    /// A vaultbox lacks what the delivery needs (an active certificate, or the target folder):
    /// answered as <see cref="Unavailable"/>, but a delivery to Junk may go to INBOX instead.
    /// </summary>
    Precondition,

    /// <summary>The intake did not answer in time, could not be reached, or failed: try again later.</summary>
    Unavailable,
}

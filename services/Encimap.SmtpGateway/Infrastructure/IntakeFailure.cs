namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>Why the intake did not take a message or answer a lookup.</summary>
public enum IntakeFailure
{
    /// <summary>The message is larger than the intake accepts.</summary>
    TooLarge,

    /// <summary>The intake refused the request as malformed: sending it again would not help.</summary>
    Refused,

    /// <summary>The intake did not answer in time, could not be reached, or failed: try again later.</summary>
    Unavailable,
}

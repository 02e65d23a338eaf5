namespace Encimap.Intake.Delivery;

/// <summary>Outcome names of <c>email_processing_logs.outcome</c>, metrics and HTTP answers.</summary>
public static class DeliveryOutcomes
{
    public const string Stored = "stored";
    public const string Duplicate = "duplicate";
    public const string UnknownRecipient = "unknown_recipient";
    public const string TooLarge = "too_large";
    public const string Rejected = "rejected";
    public const string Failed = "failed";
}

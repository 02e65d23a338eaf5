namespace Encimap.Intake.Delivery;

/// <summary>
/// A delivery that stored nothing. <see cref="Reason"/> is a short code for logs and the
/// processing log (never addresses or content); the message is safe to return to the caller.
/// </summary>
public sealed class DeliveryFailedException(DeliveryFailure failure, string reason, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public DeliveryFailure Failure { get; } = failure;

    public string Reason { get; } = reason;
}

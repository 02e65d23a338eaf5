using Encimap.Intake.Encryption;

namespace Encimap.Intake.Delivery;

/// <summary>The outcome of a delivery, per recipient (unknown recipients have no copy).</summary>
public sealed record DeliveryReport(IReadOnlyList<(RecipientTarget Target, CopyResult? Copy)> Results);

using Encimap.Intake.Encryption;

namespace Encimap.Intake.Delivery;

/// <summary>
/// IMAP APPEND semantics for a delivery: the stored copy's initial flags and INTERNALDATE, and no
/// de-duplication (appending the same message twice stores it twice).
/// </summary>
public sealed record AppendOptions(IReadOnlyList<string> Flags, DateTimeOffset? InternalDate);

using Encimap.Intake.Encryption;

namespace Encimap.Intake.Delivery;

/// <summary>What happened to one vaultbox's copy.</summary>
public enum CopyOutcome
{
    Stored,
    Duplicate,
}

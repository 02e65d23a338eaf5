namespace Encimap.Intake.Tests;

/// <summary>A vaultbox made for a test.</summary>
public sealed record Vaultbox(Guid Id, string Address);

namespace Encimap.Intake.Tests;

/// <summary>
/// Tests that share one fleet (each works with its own vaultboxes), one after the other: some take
/// the database or the certificate service away for a while.
/// </summary>
[CollectionDefinition(Name)]
public sealed class IntakeFleetCollection : ICollectionFixture<IntakeFixture>
{
    public const string Name = "intake fleet";
}

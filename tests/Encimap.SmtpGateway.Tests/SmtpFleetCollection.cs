namespace Encimap.SmtpGateway.Tests;

/// <summary>Tests that share one fleet (each works with its own users and vaultboxes).</summary>
[CollectionDefinition(Name)]
public sealed class SmtpFleetCollection : ICollectionFixture<SmtpFixture>
{
    public const string Name = "smtp fleet";
}

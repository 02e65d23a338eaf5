namespace Encimap.Imap.Tests;

/// <summary>Tests that share one fleet (each works with its own vaultboxes).</summary>
[CollectionDefinition(Name)]
public sealed class ImapFleetCollection : ICollectionFixture<ImapFixture>
{
    public const string Name = "imap fleet";
}

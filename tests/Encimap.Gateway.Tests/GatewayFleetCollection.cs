namespace Encimap.Gateway.Tests;

/// <summary>Test classes that share one fleet (each works with its own users).</summary>
[CollectionDefinition(Name)]
public sealed class GatewayFleetCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway fleet";
}

namespace Encimap.Gateway.Tests;

/// <summary>Test classes that share one running chain gateway → API → PostgreSQL (each works with its own users).</summary>
[CollectionDefinition(Name)]
public sealed class GatewayFleetCollection : ICollectionFixture<GatewayFleet>
{
    public const string Name = "gateway fleet";
}

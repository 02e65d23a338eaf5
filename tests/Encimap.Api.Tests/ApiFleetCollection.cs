namespace Encimap.Api.Tests;

/// <summary>Test classes that share one running API (each works with its own users and domains).</summary>
[CollectionDefinition(Name)]
public sealed class ApiFleetCollection : ICollectionFixture<ApiFleet>
{
    public const string Name = "api fleet";
}

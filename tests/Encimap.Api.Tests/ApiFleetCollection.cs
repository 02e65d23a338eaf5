namespace Encimap.Api.Tests;

/// <summary>Test classes that share one fleet (each works with its own users and domains).</summary>
[CollectionDefinition(Name)]
public sealed class ApiFleetCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api fleet";
}

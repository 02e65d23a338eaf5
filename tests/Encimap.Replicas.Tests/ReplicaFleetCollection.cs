namespace Encimap.Replicas.Tests;

/// <summary>Tests that share one fleet with two replicas of each service.</summary>
[CollectionDefinition(Name)]
public sealed class ReplicaFleetCollection : ICollectionFixture<ReplicaFleet>
{
    public const string Name = "replica fleet";
}

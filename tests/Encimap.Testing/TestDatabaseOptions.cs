using System.Diagnostics;
using Encimap.Database;
using Npgsql;

namespace Encimap.Testing;

/// <summary>What a test database pair holds besides the schema.</summary>
public sealed record TestDatabaseOptions
{
    /// <summary>Load <see cref="DevelopmentSeed"/> into the platform database.</summary>
    public bool SeedDevelopmentData { get; init; }
}

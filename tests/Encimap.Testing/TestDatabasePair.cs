using System.Diagnostics;
using Encimap.Database;
using Npgsql;

namespace Encimap.Testing;

/// <summary>
/// A fresh Encimap + platform database pair and the connection strings of the four roles.
/// Disposing drops both databases.
/// </summary>
public sealed class TestDatabasePair : IAsyncDisposable
{
    private readonly string _superuser;
    private int _disposed;

    internal TestDatabasePair(ProvisionedDatabases databases, string superuserConnectionString, TimeSpan creationTime)
    {
        Databases = databases;
        _superuser = superuserConnectionString;
        CreationTime = creationTime;
    }

    /// <summary>Names and connection strings.</summary>
    public ProvisionedDatabases Databases { get; }

    /// <summary>How long creating the pair took (template copy and privileges).</summary>
    public TimeSpan CreationTime { get; }

    /// <summary>The Encimap database's name.</summary>
    public string EncimapDatabase => Databases.EncimapDatabase;

    /// <summary>The platform database's name.</summary>
    public string PlatformDatabase => Databases.PlatformDatabase;

    /// <summary><c>encimap</c>: owner of the Encimap database (DDL, migrations).</summary>
    public string EncimapOwner => Databases.EncimapOwnerConnectionString;

    /// <summary><c>encimap_app</c>: what services use on the Encimap database.</summary>
    public string EncimapApp => Databases.EncimapAppConnectionString;

    /// <summary><c>motorical</c>: owner of the platform database.</summary>
    public string PlatformOwner => Databases.PlatformOwnerConnectionString;

    /// <summary><c>encimap_platform_reader</c>: what services use on the platform database.</summary>
    public string PlatformReader => Databases.PlatformReaderConnectionString;

    /// <summary>The superuser on the given database (default: the Encimap database).</summary>
    public string Superuser(string? database = null) =>
        new NpgsqlConnectionStringBuilder(_superuser) { Database = database ?? EncimapDatabase }.ConnectionString;

    /// <summary>Drops both databases, closing pooled connections to them first.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var connectionString in new[] { EncimapOwner, EncimapApp, PlatformOwner, PlatformReader, Superuser(EncimapDatabase), Superuser(PlatformDatabase) })
        {
            using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }
        try
        {
            await new DatabaseProvisioner().DropDatabasesAsync(_superuser, EncimapDatabase, PlatformDatabase).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // The cluster is already gone (process exit): nothing left to drop.
        }
    }

    /// <summary>Names only: connection strings hold passwords.</summary>
    public override string ToString() => $"{EncimapDatabase} + {PlatformDatabase}";
}

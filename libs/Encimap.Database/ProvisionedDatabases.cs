using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Encimap.Database;

/// <summary>The provisioned databases and one connection string per role.</summary>
public sealed record ProvisionedDatabases(
    string EncimapDatabase,
    string PlatformDatabase,
    string EncimapOwnerConnectionString,
    string EncimapAppConnectionString,
    string PlatformOwnerConnectionString,
    string PlatformReaderConnectionString)
{
    /// <summary>Keeps passwords out of logs and exception messages.</summary>
    public override string ToString() =>
        $"ProvisionedDatabases {{ EncimapDatabase = {EncimapDatabase}, PlatformDatabase = {PlatformDatabase} }}";
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Encimap.Database;

/// <summary>The result of <see cref="DatabaseProvisioner.SetUpAsync"/>.</summary>
public sealed record DatabaseSetup(ProvisionedDatabases Databases, MigrationResult EncimapMigrations, MigrationResult PlatformMigrations);

using Encimap.Database;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Encimap.AppHost.Database;

/// <summary>
/// The fleet's databases: given <c>ConnectionStrings:encimap</c> and <c>ConnectionStrings:platform</c>
/// (with rights to migrate), those; otherwise an embedded PostgreSQL cluster with the roles and
/// databases of SPEC.md, provisioned, migrated and seeded for development.
/// </summary>
public static class EncimapDatabasesBuilderExtensions
{
    public static EncimapDatabases AddEncimapDatabases(this IDistributedApplicationBuilder builder, DevelopmentEnvironment development)
    {
        if (!string.IsNullOrEmpty(builder.Configuration.GetConnectionString("encimap"))
            && !string.IsNullOrEmpty(builder.Configuration.GetConnectionString("platform")))
        {
            return builder.AddGivenDatabases();
        }

        var withStandby = development.Settings.PostgresStandby;
        var postgres = builder.AddEmbeddedPostgres("postgres", development,
            withStandby ? PostgresStandbyBuilderExtensions.PrimarySettings : new Dictionary<string, string>());
        var standby = withStandby ? builder.AddPostgresStandby("postgres-standby", postgres, development) : null;
        var options = new ProvisioningOptions();
        var encimap = builder.AddResource(new EmbeddedDatabaseResource("encimap", options.EncimapDatabase, options.EncimapAppRole,
                development.SecretParameter("encimap-app-password", "postgres-encimap-app").Resource, postgres.Resource, standby?.Resource))
            .WithParentRelationship(postgres);
        var platform = builder.AddResource(new EmbeddedDatabaseResource("platform", options.PlatformDatabase, options.PlatformReaderRole,
                development.SecretParameter("platform-reader-password", "postgres-platform-reader").Resource, postgres.Resource, standby?.Resource))
            .WithParentRelationship(postgres);

        var migrations = builder.AddMigrations((resource, logger, cancellationToken) =>
            ProvisionEmbeddedAsync(postgres.Resource, development, logger, cancellationToken))
            .WithParentRelationship(postgres)
            .WaitFor(postgres);
        if (standby is not null)
        {
            // The primary's commits wait for the standby: provisioning would hang until it streams.
            migrations.WaitFor(standby);
        }
        return new EncimapDatabases(
            (IResourceBuilder<IResourceWithConnectionString>)encimap,
            (IResourceBuilder<IResourceWithConnectionString>)platform,
            migrations);
    }

    private static EncimapDatabases AddGivenDatabases(this IDistributedApplicationBuilder builder)
    {
        var encimap = builder.AddConnectionString("encimap");
        var platform = builder.AddConnectionString("platform");
        var migrations = builder.AddMigrations(async (resource, logger, cancellationToken) =>
        {
            var runner = new MigrationRunner(logger);
            foreach (var (database, set) in new[] { (encimap.Resource, MigrationSet.Encimap), (platform.Resource, MigrationSet.Platform) })
            {
                var connectionString = await database.GetConnectionStringAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"ConnectionStrings:{database.Name} is empty.");
                LogMigrations(logger, await runner.ApplyAsync(connectionString, set, cancellationToken).ConfigureAwait(false));
            }
        });
        return new EncimapDatabases(encimap, platform, migrations);
    }

    /// <summary>
    /// A PostgreSQL server as a resource: its cluster's server command (known once the cluster is
    /// prepared), its port unproxied, healthy once it accepts connections.
    /// </summary>
    internal static IResourceBuilder<EmbeddedPostgresResource> AddPostgresServer(
        this IDistributedApplicationBuilder builder, EmbeddedPostgresResource resource)
    {
        var healthCheckKey = $"{resource.Name}-accepts-connections";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheckKey, cancellationToken => AcceptsConnectionsAsync(resource, cancellationToken));
        return builder.AddResource(resource)
            .WithEndpoint(name: "tcp", port: resource.Port, targetPort: resource.Port, scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                foreach (var argument in resource.Cluster!.ServerCommand().Skip(1))
                {
                    context.Args.Add(argument);
                }
            })
            .WithHealthCheck(healthCheckKey)
            .WithIconName("Database");
    }

    private static IResourceBuilder<EmbeddedPostgresResource> AddEmbeddedPostgres(
        this IDistributedApplicationBuilder builder, string name, DevelopmentEnvironment development, IReadOnlyDictionary<string, string> settings)
    {
        var resource = new EmbeddedPostgresResource(name, Path.Combine(development.Layout.StateDirectory, "postgres"), development.Port(development.Settings.PostgresPort));
        var postgres = builder.AddPostgresServer(resource);

        // initdb (first run) or a check of the existing cluster, before DCP starts the server.
        builder.Eventing.Subscribe<BeforeStartEvent>(async (@event, cancellationToken) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
            resource.Cluster = await EmbeddedPostgresCluster.PrepareAsync(new EmbeddedPostgresOptions
            {
                Directory = resource.Directory,
                Port = resource.Port,
                Fsync = development.Settings.PostgresFsync,
                Settings = settings,
                Logger = logger,
            }, cancellationToken).ConfigureAwait(false);
            postgres.WithCommand(resource.Cluster.ServerCommand()[0]);
            logger.LogInformation("cluster {How}: {DataDirectory}, port {Port}",
                resource.Cluster.Created ? "created" : "reused", resource.Cluster.DataDirectory, resource.Port);
        });
        return postgres;
    }

    private static IResourceBuilder<DatabaseMigrationsResource> AddMigrations(
        this IDistributedApplicationBuilder builder, Func<DatabaseMigrationsResource, ILogger, CancellationToken, Task> migrate)
    {
        return builder.AddResource(new DatabaseMigrationsResource("migrations"))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Migrations",
                State = KnownResourceStates.NotStarted,
                Properties = [],
            })
            .WithIconName("DatabaseArrowUp")
            .OnInitializeResource((resource, @event, cancellationToken) =>
            {
                // Runs beside the orchestrator's start-up, not inside its event dispatch.
                _ = Task.Run(() => RunMigrationsAsync(resource, @event, migrate, cancellationToken), cancellationToken);
                return Task.CompletedTask;
            });
    }

    private static async Task RunMigrationsAsync(
        DatabaseMigrationsResource resource,
        InitializeResourceEvent @event,
        Func<DatabaseMigrationsResource, ILogger, CancellationToken, Task> migrate,
        CancellationToken cancellationToken)
    {
        var notifications = @event.Notifications;
        try
        {
            await notifications.PublishUpdateAsync(resource, s => s with { State = KnownResourceStates.Waiting }).ConfigureAwait(false);
            foreach (var wait in resource.Annotations.OfType<WaitAnnotation>())
            {
                await notifications.WaitForResourceHealthyAsync(wait.Resource.Name, cancellationToken).ConfigureAwait(false);
            }

            await notifications.PublishUpdateAsync(resource, s => s with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            }).ConfigureAwait(false);
            await migrate(resource, @event.Logger, cancellationToken).ConfigureAwait(false);
            await notifications.PublishUpdateAsync(resource, s => s with
            {
                State = KnownResourceStates.Finished,
                ExitCode = 0,
                StopTimeStamp = DateTime.UtcNow,
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            @event.Logger.LogError(e, "Database preparation failed");
            await notifications.PublishUpdateAsync(resource, s => s with
            {
                State = KnownResourceStates.FailedToStart,
                ExitCode = 1,
                StopTimeStamp = DateTime.UtcNow,
            }).ConfigureAwait(false);
        }
    }

    private static async Task ProvisionEmbeddedAsync(
        EmbeddedPostgresResource postgres, DevelopmentEnvironment development, ILogger logger, CancellationToken cancellationToken)
    {
        var setup = await new DatabaseProvisioner(logger).SetUpAsync(
            postgres.SuperuserConnectionString,
            new ProvisioningOptions { Passwords = development.RolePasswords() },
            cancellationToken).ConfigureAwait(false);
        LogMigrations(logger, setup.EncimapMigrations);
        LogMigrations(logger, setup.PlatformMigrations);
        var seeded = await DevelopmentSeed.ApplyAsync(setup.Databases.PlatformOwnerConnectionString, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("development seed: {Rows} rows", seeded);
    }

    private static void LogMigrations(ILogger logger, MigrationResult result) =>
        logger.LogInformation("{Set} migrations: {Applied}", result.SetName, result.Applied.Count == 0
            ? "up to date"
            : "applied " + string.Join(", ", result.Applied.Select(m => m.FileName)));

    internal static async Task<HealthCheckResult> AcceptsConnectionsAsync(EmbeddedPostgresResource resource, CancellationToken cancellationToken)
    {
        if (resource.Cluster is null)
        {
            return HealthCheckResult.Unhealthy("not prepared yet");
        }

        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(resource.SuperuserConnectionString) { Pooling = false, Timeout = 3 }.ConnectionString;
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}

using Encimap.Database;
using Npgsql;

namespace Encimap.AppHost;

/// <summary>
/// The <c>postgres</c> resource: the embedded PostgreSQL cluster under the state directory
/// (created on first start, reused afterwards), provisioned with the roles and databases of
/// SPEC.md, migrated and seeded for development. When <c>ConnectionStrings__encimap</c> and
/// <c>ConnectionStrings__platform</c> are given, those databases replace the embedded cluster
/// (they are migrated with the given credentials, which then need DDL rights).
/// </summary>
public sealed class DatabaseResource(
    AppHostOptions options,
    IConfiguration configuration,
    RepositoryLayout layout,
    DevelopmentSecrets secrets,
    ILogger logger) : FleetResource("postgres", "postgres")
{
    private EmbeddedPostgresCluster? _cluster;
    private IReadOnlyList<ResourceEndpoint> _endpoints = [];

    public override IReadOnlyList<ResourceEndpoint> Endpoints => _endpoints;

    /// <summary>What the services use for the encimap database (the least-privileged app role).</summary>
    public string EncimapConnectionString { get; private set; } = "";

    /// <summary>What the services use for the platform database (read-only role).</summary>
    public string PlatformConnectionString { get; private set; } = "";

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        SetState(ResourceState.Starting);
        try
        {
            var encimap = configuration.GetConnectionString("encimap");
            var platform = configuration.GetConnectionString("platform");
            if (!string.IsNullOrEmpty(encimap) && !string.IsNullOrEmpty(platform))
            {
                await UseExternalAsync(encimap, platform, cancellationToken);
            }
            else
            {
                await StartEmbeddedAsync(cancellationToken);
            }

            SetState(ResourceState.Running);
            SetHealth(ResourceHealth.Healthy);
        }
        catch
        {
            SetState(ResourceState.Failed);
            throw;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_cluster is null)
        {
            SetState(ResourceState.Stopped);
            return;
        }

        SetState(ResourceState.Stopping);
        await _cluster.StopAsync(cancellationToken);
        SetProcess(null);
        SetState(ResourceState.Stopped);
        Log.Append("cluster stopped", isError: false);
    }

    private async Task StartEmbeddedAsync(CancellationToken cancellationToken)
    {
        _cluster = await EmbeddedPostgresCluster.StartAsync(
            new EmbeddedPostgresOptions
            {
                Directory = Path.Combine(layout.StateDirectory, "postgres"),
                Port = options.PostgresPort + options.PortOffset,
                StopWhenProcessExits = true,
                Logger = logger,
            },
            cancellationToken);
        Report(_cluster.Created ? "cluster created" : "cluster reused", $"{_cluster.DataDirectory}, port {_cluster.Port}");

        var setup = await new DatabaseProvisioner(logger).SetUpAsync(
            _cluster.SuperuserConnectionString,
            new ProvisioningOptions { Passwords = RolePasswords() },
            cancellationToken);
        ReportMigrations(setup.EncimapMigrations);
        ReportMigrations(setup.PlatformMigrations);
        var seeded = await DevelopmentSeed.ApplyAsync(setup.Databases.PlatformOwnerConnectionString, cancellationToken);
        if (seeded > 0)
        {
            Report("development seed", $"{seeded} rows");
        }

        EncimapConnectionString = setup.Databases.EncimapAppConnectionString;
        PlatformConnectionString = setup.Databases.PlatformReaderConnectionString;
        _endpoints = [new ResourceEndpoint("tcp", $"tcp://{EmbeddedPostgresCluster.Host}:{_cluster.Port}")];
        SetProcess(_cluster.PostmasterPid);
    }

    private async Task UseExternalAsync(string encimap, string platform, CancellationToken cancellationToken)
    {
        var runner = new MigrationRunner(logger);
        ReportMigrations(await runner.ApplyAsync(encimap, MigrationSet.Encimap, cancellationToken));
        ReportMigrations(await runner.ApplyAsync(platform, MigrationSet.Platform, cancellationToken));
        EncimapConnectionString = encimap;
        PlatformConnectionString = platform;
        var builder = new NpgsqlConnectionStringBuilder(encimap);
        _endpoints = [new ResourceEndpoint("tcp", $"tcp://{builder.Host}:{builder.Port}")];
        Report("external databases", $"{builder.Host}:{builder.Port}");
    }

    private RolePasswords RolePasswords() => new(
        secrets.GetOrCreate("postgres-encimap-owner"),
        secrets.GetOrCreate("postgres-encimap-app"),
        secrets.GetOrCreate("postgres-platform-owner"),
        secrets.GetOrCreate("postgres-platform-reader"));

    private void ReportMigrations(MigrationResult result) =>
        Report($"{result.SetName} migrations", result.Applied.Count == 0
            ? "up to date"
            : "applied " + string.Join(", ", result.Applied.Select(m => $"{m.Version:0000}_{m.Name}")));

    private void Report(string what, string detail)
    {
        var line = $"{what}: {detail}";
        Log.Append(line, isError: false);
        Console.WriteLine($"[postgres] {line}");
    }
}

using Encimap.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Encimap.AppHost.Database;

/// <summary>
/// The embedded PostgreSQL's synchronous standby (<c>AppHost:PostgresStandby</c>): a second
/// server from Debian's binaries, cloned from the primary with pg_basebackup once the primary is
/// up, streaming from it through a replication slot, and named in the primary's
/// <c>synchronous_standby_names</c>, so that a transaction's commit returns (and the intake
/// answers 250) only once its WAL is flushed on both nodes. docs/replicas-and-failover.md tells
/// how to fail over to it.
/// </summary>
internal static class PostgresStandbyBuilderExtensions
{
    private const string ApplicationName = "encimap_standby";

    /// <summary>
    /// The primary's settings with a standby. <c>synchronous_commit = on</c> (not
    /// <c>remote_apply</c>): a commit waits until the standby has flushed its WAL, which is what a
    /// promotion needs to lose nothing (the standby replays everything it flushed before it takes
    /// writes); <c>remote_apply</c> would add the wait for replay, which matters only to reads
    /// from the standby, and the services read from the primary alone. It is set explicitly
    /// because the unflushed test profile (<c>PostgresFsync=false</c>) turns it off.
    /// </summary>
    public static IReadOnlyDictionary<string, string> PrimarySettings { get; } = new Dictionary<string, string>
    {
        ["synchronous_standby_names"] = ApplicationName,
        ["synchronous_commit"] = "on",
    };

    /// <summary>
    /// The standby's own settings. It names no synchronous standby of its own: once promoted it
    /// is alone, and a commit waiting for a standby that does not exist would never return, so
    /// the promoted node accepts writes on its own (as CloudNativePG's
    /// <c>dataDurability: preferred</c> does) until a new standby is cloned from it. Its commits
    /// are flushed locally (<c>synchronous_commit = on</c>), whatever the fsync profile says.
    /// After losing its upstream it retries every second rather than every 5 s
    /// (<c>wal_retrieve_retry_interval</c>), which is also how soon it notices a promotion.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> StandbySettings = new Dictionary<string, string>
    {
        ["synchronous_commit"] = "on",
        ["wal_retrieve_retry_interval"] = "1s",
    };

    public static IResourceBuilder<EmbeddedPostgresResource> AddPostgresStandby(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<EmbeddedPostgresResource> primary, DevelopmentEnvironment development)
    {
        var resource = new EmbeddedPostgresResource(name, Path.Combine(development.Layout.StateDirectory, name),
            development.Port(development.Settings.PostgresStandbyPort));
        var standby = builder.AddPostgresServer(resource).WaitFor(primary);

        // The same program as the primary's, known once the primary's BeforeStartEvent has found it.
        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            standby.WithCommand(primary.Resource.Cluster!.ServerCommand()[0]);
            return Task.CompletedTask;
        });

        // The clone needs the primary running: it is made just before the standby starts.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (@event, cancellationToken) =>
        {
            var services = @event.Services;
            var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
            await services.GetRequiredService<ResourceNotificationService>()
                .WaitForResourceHealthyAsync(primary.Resource.Name, cancellationToken).ConfigureAwait(false);
            resource.Cluster = await EmbeddedPostgresCluster.PrepareStandbyAsync(
                new EmbeddedPostgresOptions
                {
                    Directory = resource.Directory,
                    Port = resource.Port,
                    Fsync = development.Settings.PostgresFsync,
                    Settings = StandbySettings,
                    Logger = logger,
                },
                new StreamingReplicationSource
                {
                    PrimarySuperuserConnectionString = primary.Resource.SuperuserConnectionString,
                    ReplicationPassword = development.Secrets.GetOrCreate("postgres-replication"),
                    ApplicationName = ApplicationName,
                },
                cancellationToken).ConfigureAwait(false);
            logger.LogInformation("standby {How}: {DataDirectory}, port {Port}, streaming from port {PrimaryPort}",
                resource.Cluster.Created ? "cloned" : "reused", resource.Cluster.DataDirectory, resource.Port, primary.Resource.Port);
        });
        return standby;
    }
}

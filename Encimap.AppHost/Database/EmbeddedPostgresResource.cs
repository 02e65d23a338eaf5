using Encimap.Database;

namespace Encimap.AppHost.Database;

/// <summary>
/// The development PostgreSQL: Debian's <c>postgres</c> run in the foreground by DCP over a
/// private cluster under the state directory (initdb on first start, reused afterwards). No
/// container runtime is needed, which is why this is not Aspire.Hosting.PostgreSQL's container.
/// </summary>
public sealed class EmbeddedPostgresResource(string name, string directory, int port)
    : ExecutableResource(name, command: "postgres", workingDirectory: directory)
{
    /// <summary>Where the cluster lives (its data directory is <c>data/</c> below it).</summary>
    public string Directory { get; } = directory;

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; } = port;

    /// <summary>The prepared cluster, once <c>BeforeStartEvent</c> has run initdb or checked it.</summary>
    internal EmbeddedPostgresCluster? Cluster { get; set; }

    /// <summary>The superuser's connection string; only the AppHost (provisioning, health) uses it.</summary>
    internal string SuperuserConnectionString =>
        Cluster?.SuperuserConnectionString ?? throw new InvalidOperationException("The embedded PostgreSQL cluster is not prepared yet.");
}

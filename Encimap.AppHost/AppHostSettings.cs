using Microsoft.Extensions.Configuration;

namespace Encimap.AppHost;

/// <summary>Settings of the AppHost itself (configuration section <c>AppHost</c>).</summary>
public sealed class AppHostSettings
{
    /// <summary>Where the embedded cluster, development secrets and keys live; default <c>.encimap/</c> in the repository.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Port of the embedded PostgreSQL (before <see cref="PortOffset"/>).</summary>
    public int PostgresPort { get; set; } = 55432;

    /// <summary>Whether the embedded PostgreSQL flushes to disk; tests turn it off for speed.</summary>
    public bool PostgresFsync { get; set; } = true;

    /// <summary>
    /// A second embedded PostgreSQL as a synchronous streaming-replication standby of the first
    /// (docs/replicas-and-failover.md): a commit is on both before it returns, and the services'
    /// connection strings name both hosts. Off by default.
    /// </summary>
    public bool PostgresStandby { get; set; }

    /// <summary>Port of the standby (before <see cref="PortOffset"/>).</summary>
    public int PostgresStandbyPort { get; set; } = 55433;

    /// <summary>Added to every development port, so that two fleets can run side by side.</summary>
    public int PortOffset { get; set; }

    /// <summary>
    /// How many processes run each stateless service (smtp, intake, imap, api, certificates,
    /// gateway). With more than one, every endpoint of a service is proxied by DCP, which spreads
    /// connections over the replicas (see EncimapServiceBuilderExtensions).
    /// </summary>
    public int Replicas { get; set; } = 1;

    /// <summary>Build configuration of the service binaries; default: the AppHost's own.</summary>
    public string? Configuration { get; set; }

    public static AppHostSettings From(IConfiguration configuration) =>
        configuration.GetSection("AppHost").Get<AppHostSettings>() ?? new AppHostSettings();
}

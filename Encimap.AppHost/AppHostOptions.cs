namespace Encimap.AppHost;

/// <summary>Settings of the orchestrator (configuration section <c>AppHost</c>).</summary>
public sealed class AppHostOptions
{
    /// <summary>Where the embedded cluster, development secrets and keys live; default <c>.encimap/</c> in the repository.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>The dashboard and its resources API.</summary>
    public string DashboardUrl { get; set; } = "http://127.0.0.1:18888";

    /// <summary>Port of the embedded PostgreSQL (before <see cref="PortOffset"/>).</summary>
    public int PostgresPort { get; set; } = 55432;

    /// <summary>Added to every service and PostgreSQL port, so that two fleets can run side by side.</summary>
    public int PortOffset { get; set; }

    /// <summary>How long a service may take to answer its first healthy <c>/health</c>.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>How long a service may take to exit after SIGTERM before it is killed.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Build configuration of the service binaries; default: the AppHost's own.</summary>
    public string? Configuration { get; set; }
}

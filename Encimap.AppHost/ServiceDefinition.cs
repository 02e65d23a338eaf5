namespace Encimap.AppHost;

/// <summary>
/// A service of the fleet: which project it runs, where it listens, which databases and other
/// services it needs. What Aspire's <c>AddProject(...).WithReference(...)</c> would declare.
/// </summary>
public sealed record ServiceDefinition(
    string Name,
    string ProjectName,
    IReadOnlyList<EndpointDefinition> Endpoints,
    IReadOnlyList<string> References,
    bool UsesEncimapDatabase,
    bool UsesPlatformDatabase)
{
    /// <summary>The endpoint probed for <c>/health</c>: the first HTTP/1 Kestrel endpoint.</summary>
    public EndpointDefinition? HealthEndpoint =>
        Endpoints.FirstOrDefault(e => e.IsKestrel && !e.Http2Only && e.Scheme == "http");
}

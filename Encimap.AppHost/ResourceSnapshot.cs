namespace Encimap.AppHost;

/// <summary>One resource as <c>GET /api/resources</c> returns it.</summary>
public sealed record ResourceSnapshot(
    string Name,
    string Type,
    string State,
    string Health,
    int? Pid,
    IReadOnlyList<ResourceEndpoint> Endpoints,
    int Restarts,
    DateTimeOffset? StartedAt,
    double? UptimeSeconds);

namespace Encimap.Api.Health;

/// <summary>
/// What <c>GET /s2s/v1/health</c> answers, in the seed's shape:
/// <c>{"status": "healthy", "services": {"database": "connected", "storage": "accessible", "mta": "running", …}}</c>.
/// Each part has one word for working and one for failing; a peer the fleet does not have
/// (no <c>services:{name}</c> configured) is <c>not_configured</c> and fails nothing.
/// </summary>
public sealed record ApiHealthReport(IReadOnlyDictionary<string, string> Services, IReadOnlyList<string> Failing)
{
    public bool Healthy => Failing.Count == 0;

    public string Status => Healthy ? "healthy" : "unhealthy";
}

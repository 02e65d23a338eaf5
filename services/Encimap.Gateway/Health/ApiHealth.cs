using System.Text.Json;

namespace Encimap.Gateway.Health;

/// <summary>What the API's <c>/s2s/v1/health</c> said: its status and dependencies, or nothing when it did not answer.</summary>
public sealed record ApiHealth(bool Reachable, int? StatusCode, string Status, JsonElement? Services);

using System.Text.Json.Serialization;

namespace Encimap.Gateway.Infrastructure;

/// <summary>The API's response envelope (SPEC.md), for the answers the gateway gives itself.</summary>
public sealed record GatewayEnvelope(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Data,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GatewayError? Error);

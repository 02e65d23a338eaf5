using System.Text.Json.Serialization;

namespace Encimap.Gateway.Infrastructure;

/// <summary>A machine-readable code and a human-readable message; never internal details.</summary>
public sealed record GatewayError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message);

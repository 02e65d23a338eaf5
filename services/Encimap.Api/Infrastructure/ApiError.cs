using System.Text.Json.Serialization;

namespace Encimap.Api.Infrastructure;

/// <summary>A machine-readable code and a human-readable message; never internal details.</summary>
public sealed record ApiError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message);

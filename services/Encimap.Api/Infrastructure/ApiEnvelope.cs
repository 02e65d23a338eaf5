using System.Text.Json.Serialization;

namespace Encimap.Api.Infrastructure;

/// <summary>The response envelope of SPEC.md: <c>{"success": true, "data": …}</c> or <c>{"success": false, "error": {…}}</c>.</summary>
public sealed record ApiEnvelope(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Data,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApiError? Error);

using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Encimap.Api.Infrastructure;

/// <summary>
/// Reads a JSON request body into a record, turning every way it can be wrong (not JSON, wrong
/// types, too large, wrong content type) into a 400/413 envelope instead of the framework's
/// default problem responses. Unknown fields are tolerated.
/// </summary>
public static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
    };

    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength is > MaxBytes)
        {
            return (null, TooLarge());
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBytes;
        }

        if (!request.HasJsonContentType())
        {
            return (null, ApiResults.Error(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "the body must be application/json"));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken);
            return value is null ? (null, ApiResults.Validation("the body must be a JSON object")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, ApiResults.Error(StatusCodes.Status400BadRequest, "invalid_json", Describe(e)));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
        }
    }

    private static IResult TooLarge() =>
        ApiResults.Error(StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"the body must be at most {MaxBytes} bytes");

    // JsonException messages name the path and line but not the input itself; safe to return.
    private static string Describe(JsonException e) =>
        e.Path is { Length: > 1 } path ? $"malformed JSON or wrong type at {path}" : "malformed JSON";
}

namespace Encimap.Api.Infrastructure;

/// <summary>
/// Every error the framework produces (unhandled exception, 401 challenge, 403, unknown route,
/// wrong method) leaves in the error envelope; an exception's details never do.
/// </summary>
public static class ErrorEnvelopeExtensions
{
    public static WebApplication UseErrorEnvelopes(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(context =>
            ApiResults.Error(StatusCodes.Status500InternalServerError, "internal_error", "an unexpected error occurred").ExecuteAsync(context)));
        app.UseStatusCodePages(context =>
        {
            var response = context.HttpContext.Response;
            var (code, message) = response.StatusCode switch
            {
                StatusCodes.Status401Unauthorized => ("unauthorized", "a valid bearer token is required"),
                StatusCodes.Status403Forbidden => ("forbidden", "the token does not allow this"),
                StatusCodes.Status404NotFound => ("not_found", "no such resource"),
                StatusCodes.Status405MethodNotAllowed => ("method_not_allowed", "method not allowed on this resource"),
                StatusCodes.Status413PayloadTooLarge => ("payload_too_large", "the request body is too large"),
                StatusCodes.Status415UnsupportedMediaType => ("unsupported_media_type", "unsupported content type"),
                _ => ("error", "the request failed"),
            };
            return ApiResults.Error(response.StatusCode, code, message).ExecuteAsync(context.HttpContext);
        });
        return app;
    }
}

using Microsoft.AspNetCore.Diagnostics;

namespace Encimap.Gateway.Infrastructure;

/// <summary>
/// Every answer the gateway produces itself (401, 429, 502/503/504, unknown route, unhandled
/// exception) leaves in the error envelope of the API, so that the platform handles one format.
/// </summary>
public static class GatewayErrors
{
    public static Task WriteAsync(HttpContext context, int status, string code, string message, object? data = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers.CacheControl = "no-store";
        return response.WriteAsJsonAsync(new GatewayEnvelope(false, data, new GatewayError(code, message)), context.RequestAborted);
    }

    public static WebApplication UseGatewayErrors(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(context =>
            WriteAsync(context, StatusCodes.Status500InternalServerError, "internal_error", "an unexpected error occurred")));
        // Only for the gateway's own empty answers: the proxied route turns this off so that the
        // API's responses pass through as they are.
        app.UseStatusCodePages(context =>
        {
            var status = context.HttpContext.Response.StatusCode;
            var (code, message) = status switch
            {
                StatusCodes.Status401Unauthorized => ("unauthorized", "a valid bearer token is required"),
                StatusCodes.Status403Forbidden => ("forbidden", "the token does not allow this"),
                StatusCodes.Status404NotFound => ("not_found", "no such resource"),
                StatusCodes.Status405MethodNotAllowed => ("method_not_allowed", "method not allowed on this resource"),
                StatusCodes.Status413PayloadTooLarge => ("payload_too_large", "the request body is too large"),
                _ => ("error", "the request failed"),
            };
            return WriteAsync(context.HttpContext, status, code, message);
        });
        return app;
    }

    /// <summary>Turns off the status-code pages for this request (a proxied response keeps its own body).</summary>
    public static void DisableStatusCodePages(HttpContext context)
    {
        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }
    }
}

using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Encimap.ServiceDefaults;

/// <summary>
/// Names the ASP.NET Core server span after its route (<c>POST /s2s/v1/vaultboxes</c>) instead of
/// <c>Microsoft.AspNetCore.Hosting.HttpRequestIn</c>, and adds the HTTP semantic-convention tags.
/// OpenTelemetry.Instrumentation.AspNetCore would do this but cannot be restored here.
/// </summary>
internal sealed class RouteSpanNamingMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var activity = Activity.Current;
        try
        {
            await next(context);
        }
        finally
        {
            if (activity is not null && activity.Source.Name == "Microsoft.AspNetCore")
            {
                Describe(activity, context);
            }
        }
    }

    private static void Describe(Activity activity, HttpContext context)
    {
        var method = context.Request.Method;
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        var status = context.Response.StatusCode;

        // A handler (the gRPC transport, say) may already have given the span a better name.
        if (activity.DisplayName == activity.OperationName)
        {
            activity.DisplayName = route is null ? method : $"{method} {NormalizeRoute(route)}";
        }

        activity.SetTag("http.request.method", method);
        activity.SetTag("url.path", context.Request.Path.Value);
        activity.SetTag("http.response.status_code", status);
        if (route is not null)
        {
            activity.SetTag("http.route", NormalizeRoute(route));
        }

        if (status >= 500)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    private static string NormalizeRoute(string route) => route.StartsWith('/') ? route : "/" + route;
}

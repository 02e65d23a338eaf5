using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Encimap.ServiceDefaults;

/// <summary>Puts <see cref="RouteSpanNamingMiddleware"/> first in every pipeline, so no service has to.</summary>
internal sealed class RouteSpanNamingStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<RouteSpanNamingMiddleware>();
        next(app);
    };
}

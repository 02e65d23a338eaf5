namespace Encimap.AppHost;

/// <summary>The dashboard's pages: static files served from <c>wwwroot/</c>, no external CDN.</summary>
public static class DashboardPages
{
    public static WebApplication MapDashboardPages(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles();
        return app;
    }
}

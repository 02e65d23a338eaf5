using Encimap.AppHost;
using Encimap.AppHost.Dashboard;
using Encimap.AppHost.Otlp;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // Pages and settings ship next to the binary, wherever `dotnet run` was started from.
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Services.Configure<AppHostOptions>(builder.Configuration.GetSection("AppHost"));
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
builder.Services.AddSingleton<Fleet>();
builder.Services.AddSingleton<ConsoleSink>();
builder.Services.AddHostedService<FleetOrchestrator>();
builder.Services.AddOtlpReceiver(builder.Configuration.GetSection("AppHost:Telemetry"));
builder.WebHost.UseUrls(builder.Configuration["AppHost:DashboardUrl"] ?? new AppHostOptions().DashboardUrl);

var app = builder.Build();
app.MapResourcesApi();
app.MapOtlpReceiver();
app.MapTelemetryApi();
app.MapDashboardPages();
app.Run();

using Encimap.Gateway.Authentication;
using Encimap.Gateway.Health;
using Encimap.Gateway.Infrastructure;
using Encimap.Gateway.Proxy;
using Encimap.Gateway.RateLimiting;
using Encimap.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddUserAuthentication();
builder.AddGatewayRateLimits();
builder.AddApiProxy();
builder.AddGatewayHealth();

var app = builder.Build();
app.UseGatewayErrors();
app.UseAuthentication();   // reads the user token: the per-user limit needs it
app.UseRateLimiter();      // per IP, then per user
app.UseAuthorization();    // 401 for the proxied routes, before anything is forwarded
app.MapGatewayHealth();
app.MapApiProxy();
app.MapDefaultEndpoints();

app.Run();

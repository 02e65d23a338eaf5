using Encimap.Intake.Grpc;
using Encimap.Intake.Http;
using Encimap.Intake.Infrastructure;
using Encimap.ServiceDefaults;
using Encimap.ServiceDefaults.Security;

// appsettings*.json sit next to the assembly, wherever the process is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.AddServiceDefaults();
builder.AddInternalCallAuthentication();
builder.AddIntakeServices();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

// Only services of the fleet (the SMTP gateway) may resolve recipients or deliver over gRPC.
app.MapInternalGrpcService<IntakeGrpcService>();
// The HTTP intake has its own access rule (bearer secret or loopback): see HttpIntakeAccess.
app.MapHttpIntake();
app.MapDefaultEndpoints();

app.Run();

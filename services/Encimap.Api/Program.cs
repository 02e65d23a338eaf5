using Encimap.Api.Certificates;
using Encimap.Api.Credentials;
using Encimap.Api.Domains;
using Encimap.Api.Health;
using Encimap.Api.Infrastructure;
using Encimap.Api.Usage;
using Encimap.Api.Vaultboxes;
using Encimap.ServiceDefaults;
using Encimap.ServiceDefaults.Security;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddS2sAuthentication();
builder.AddInternalCallAuthentication();
builder.AddApiServices();

var app = builder.Build();
app.UseErrorEnvelopes();
app.UseAuthentication();
app.UseAuthorization();

app.MapGroup("/s2s/v1")
    .RequireAuthorization(S2sAuthenticationExtensions.S2sPolicy)
    .MapVaultboxes()
    .MapCredentials()
    .MapCertificates()
    .MapDomains()
    .MapUsage();
app.MapApiHealth();
app.MapOpenApi();
app.MapInternalGrpcService<CredentialsGrpcService>();
app.MapDefaultEndpoints();

app.Run();

/// <summary>Entry point, visible to the tests that host the API.</summary>
public partial class Program;

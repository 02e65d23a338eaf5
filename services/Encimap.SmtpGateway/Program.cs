using Encimap.Contracts.Certificates;
using Encimap.Contracts.Credentials;
using Encimap.Contracts.Intake;
using Encimap.LoginThrottling;
using Encimap.ServiceDefaults;
using Encimap.ServiceDefaults.Security;
using Encimap.SmtpGateway.Authentication;
using Encimap.SmtpGateway.Infrastructure;
using Encimap.SmtpGateway.Mx;
using Encimap.SmtpGateway.Relay;
using Encimap.SmtpGateway.Submission;
using Microsoft.Extensions.Options;

// appsettings*.json sit next to the assembly, wherever the process is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.AddServiceDefaults();

builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.Section));
builder.Services.Configure<TlsOptions>(builder.Configuration.GetSection(TlsOptions.Section));
builder.Services.AddInternalGrpcClient<Intake.IntakeClient>(Intake.Descriptor, "intake", caller: "smtp");
builder.Services.AddInternalGrpcClient<Credentials.CredentialsClient>(Credentials.Descriptor, "api", caller: "smtp");
builder.Services.AddInternalGrpcClient<Certificates.CertificatesClient>(Certificates.Descriptor, "certificates", caller: "smtp");
builder.Services.AddSingleton<IntakeDelivery>();
builder.Services.AddSingleton<CredentialVerification>();

// Keyed "encimap", with its health check and telemetry (Aspire.Npgsql).
builder.AddKeyedNpgsqlDataSource("encimap", configureDataSourceBuilder: dataSource => dataSource.Name = "encimap");
builder.Services.TryAddSingletonTimeProvider();

builder.Services.AddSingleton<GatewayTelemetry>();
builder.Services.AddSingleton<OutboundQueue>();
builder.Services.AddSingleton<RelaySignal>();
builder.Services.AddSingleton<SmarthostRelay>();
builder.Services.AddSingleton<DkimSigning>();
builder.Services.AddSingleton<FoundRecipientCache>();
builder.Services.AddSingleton<IntakeRecipientPolicy>();
builder.Services.AddSingleton<AuthenticationDns>();
builder.Services.AddSingleton<ISpfEvaluator, SpfEvaluator>();
builder.Services.AddSingleton<DnsDkimPublicKeyLocator>();
builder.Services.AddSingleton<DkimChecker>();
builder.Services.AddSingleton<IDmarcEvaluator, DmarcEvaluator>();
builder.Services.AddSingleton<AuthenticationTelemetry>();
builder.Services.AddSingleton<InboundAuthenticator>();
builder.Services.AddSingleton<RecipientDispositions>();
builder.Services.AddSingleton<IntakeMessageSink>();
builder.Services.AddSingleton(provider => new LoginPenalty(
    provider.GetRequiredService<IOptions<GatewayOptions>>().Value.Submission.LoginPenalty, provider.GetRequiredService<TimeProvider>()));
builder.Services.AddSingleton<SubmissionAuthenticator>();
builder.Services.AddSingleton<SubmissionSenderPolicy>();
builder.Services.AddSingleton<OutboundQueueSink>();
builder.Services.AddHostedService<SmtpListeners>();
builder.Services.AddHostedService<RelayWorker>();

builder.Services.AddHealthChecks().AddCheck<IntakeHealthCheck>("intake");

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();

internal static class TimeProviderRegistration
{
    public static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}

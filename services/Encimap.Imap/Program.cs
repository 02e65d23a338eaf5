using Encimap.Contracts.Credentials;
using Encimap.Contracts.Intake;
using Encimap.Imap;
using Encimap.Imap.Protocol;
using Encimap.LoginThrottling;
using Encimap.ServiceDefaults;
using Encimap.ServiceDefaults.Security;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.AddServiceDefaults();
builder.Services.Configure<ImapOptions>(builder.Configuration.GetSection("Imap"));
builder.Services.Configure<TlsOptions>(builder.Configuration.GetSection("Tls"));
// Keyed "encimap", with its health check and telemetry (Aspire.Npgsql).
builder.AddKeyedNpgsqlDataSource("encimap", configureDataSourceBuilder: dataSource =>
{
    dataSource.Name = "encimap";
    // The same few statements run for every command of every session: prepare them on each
    // pooled connection after their second use, unless the connection string says otherwise.
    if (dataSource.ConnectionStringBuilder.MaxAutoPrepare == 0)
    {
        dataSource.ConnectionStringBuilder.MaxAutoPrepare = 64;
        dataSource.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
    }

    // A connection going back to the pool would otherwise queue RESET ALL, CLOSE ALL, UNLISTEN,
    // DISCARD TEMP… before its next statement: a simple query of seven statements that PostgreSQL
    // parses and runs for every command of every session (each takes a pooled connection). The
    // sessions keep no session state on a connection: their settings and the vaultbox lock are
    // local to a transaction; only MailboxNotifier LISTENs, on a connection it holds for as long
    // as it listens.
    dataSource.ConnectionStringBuilder.NoResetOnClose = true;
});
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(provider => new LoginPenalty(
    provider.GetRequiredService<IOptions<ImapOptions>>().Value.LoginPenalty, provider.GetRequiredService<TimeProvider>()));
builder.Services.AddSingleton<UserConnectionLimit>();
builder.Services.AddSingleton<MailboxNotifier>();
builder.Services.AddSingleton<RecentClaims>();
builder.Services.AddHostedService(provider => provider.GetRequiredService<MailboxNotifier>());
builder.Services.AddSingleton<IImapBackend, PostgresImapBackend>();
builder.Services.AddSingleton<ImapListener>();
builder.Services.AddHostedService(provider => provider.GetRequiredService<ImapListener>());
builder.Services.AddInternalGrpcClient<Credentials.CredentialsClient>(Credentials.Descriptor, "api", caller: "imap");
builder.Services.AddInternalGrpcClient<Intake.IntakeClient>(Intake.Descriptor, "intake", caller: "imap");
builder.Services.AddSingleton<CredentialVerification>();
builder.Services.AddSingleton<IntakeAppender>();
builder.Services.AddHealthChecks().AddCheck<NotifierHealthCheck>("listen");

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();

/// <summary>Healthy once the LISTEN connection is up (IDLE depends on it).</summary>
internal sealed class NotifierHealthCheck(MailboxNotifier notifier) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(notifier.Connected ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("LISTEN connection is down"));
}

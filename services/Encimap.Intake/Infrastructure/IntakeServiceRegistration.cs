using Encimap.Intake.Delivery;
using Encimap.Intake.Encryption;
using Encimap.Intake.Grpc;
using Encimap.ServiceDefaults.Security;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;
using CertificatesContract = Encimap.Contracts.Certificates.Certificates;

namespace Encimap.Intake.Infrastructure;

/// <summary>The intake's services, registered once from Program.cs.</summary>
public static class IntakeServiceRegistration
{
    public const string ConnectionStringName = "encimap";

    /// <summary>Room for the Deliver request's other fields around a message of the maximum size.</summary>
    private const int GrpcEnvelopeAllowance = 1024 * 1024;

    public static WebApplicationBuilder AddIntakeServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<IntakeOptions>()
            .Bind(builder.Configuration.GetSection(IntakeOptions.Section))
            .Validate(o => o.MaxMessageBytes is > 0 and <= 512 * 1024 * 1024, "Intake:MaxMessageBytes must be between 1 byte and 512 MiB")
            .Validate(o => o.DuplicateWindow > TimeSpan.Zero, "Intake:DuplicateWindow must be positive")
            .Validate(o => o.MaxRecipients > 0, "Intake:MaxRecipients must be positive")
            .Validate(o => o.CertificateCacheTtl >= TimeSpan.Zero && o.CertificateCacheTtl <= TimeSpan.FromMinutes(5),
                "Intake:CertificateCacheTtl must be between 0 (no cache) and 5 minutes")
            .Validate(o => o.CommitPartitions is > 0 and <= 64, "Intake:CommitPartitions must be between 1 and 64")
            .Validate(o => o.MaxDeliveriesPerCommit is > 0 and <= 1000, "Intake:MaxDeliveriesPerCommit must be between 1 and 1000")
            .Validate(o => o.MaxBytesPerCommit > 0, "Intake:MaxBytesPerCommit must be positive")
            .ValidateOnStart();

        // A Deliver request carries the whole message: grpc-dotnet's limit follows ours (and with it
        // Kestrel's request body limit, see MapInternalGrpcService), so that a larger one ends as
        // RESOURCE_EXHAUSTED before it is buffered.
        services.AddGrpc();
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<IntakeOptions>>((grpc, intake) =>
            grpc.MaxReceiveMessageSize = intake.Value.MaxMessageBytes + GrpcEnvelopeAllowance);

        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionStringName)))
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not configured: the intake needs the encimap database.");
        }

        // Keyed "encimap", with its health check and telemetry (Aspire.Npgsql; the logger factory is the host's).
        builder.AddKeyedNpgsqlDataSource(ConnectionStringName, configureDataSourceBuilder: dataSource =>
        {
            dataSource.Name = ConnectionStringName;
            // Names the service's sessions in pg_stat_activity unless the connection string does.
            if (string.IsNullOrEmpty(dataSource.ConnectionStringBuilder.ApplicationName))
            {
                dataSource.ConnectionStringBuilder.ApplicationName = "encimap-intake";
            }

            // Every delivery runs the same few statements: prepared once per pooled connection,
            // PostgreSQL stops parsing and planning them for each message (a large share of its
            // CPU per delivery otherwise). A connection string that sets its own value wins.
            if (dataSource.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                dataSource.ConnectionStringBuilder.MaxAutoPrepare = 32;
                dataSource.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            }

            // A connection going back to the pool would otherwise queue RESET ALL, CLOSE ALL,
            // UNLISTEN, DISCARD TEMP… for its next use: a simple-query round of parsing and
            // executing per delivery. The intake keeps no session state (no SET, LISTEN,
            // session advisory locks or temporary tables), so there is nothing to reset.
            dataSource.ConnectionStringBuilder.NoResetOnClose = true;
        });
        services.AddInternalGrpcClient<CertificatesContract.CertificatesClient>(CertificatesContract.Descriptor, "certificates", caller: "intake");
        services.AddSingleton<CertificateServiceClient>();

        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }

        services.AddSingleton<DeliveryTelemetry>();
        services.AddSingleton(provider => new EncryptedMessageBuilder(
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<IOptions<IntakeOptions>>().Value.SpoolDirectory));
        services.AddSingleton<RecipientDirectory>();
        services.AddSingleton<RecipientCertificateCache>();
        services.AddSingleton<RecipientRouteCache>();
        services.AddSingleton<MessageStore>();
        services.AddSingleton<GroupCommitQueue>();
        services.AddSingleton<DeliveryService>();
        return builder;
    }
}

using Encimap.Certificates.Dkim;
using Encimap.ServiceDefaults;
using Encimap.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;

namespace Encimap.Certificates;

/// <summary>The certificate service: configuration, services and gRPC methods.</summary>
public static class CertificatesApplication
{
    /// <summary>The name of the encimap connection string (<c>ConnectionStrings:encimap</c>).</summary>
    public const string ConnectionStringName = "encimap";

    /// <summary>Room for a request's other fields next to the message it carries.</summary>
    private const int GrpcEnvelopeAllowance = 64 * 1024;

    /// <summary>
    /// Builds the application. <paramref name="configure"/> runs after the defaults are added and
    /// before the container is built (tests add configuration there). Throws when the
    /// configuration cannot work (no database, no key-encryption key) so the process does not start.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings*.json sit next to the assembly, wherever the process is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        configure?.Invoke(builder);
        builder.AddServiceDefaults();
        builder.AddInternalCallAuthentication();
        AddCertificateServices(builder);

        var app = builder.Build();

        // Fail at start, with the reason, rather than on the first request.
        _ = app.Services.GetRequiredService<IOptions<CertificateOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<DkimOptions>>().Value;
        var keks = app.Services.GetRequiredService<KeyEncryptionKeyRing>();
        app.Logger.LogInformation("Key-encryption keys loaded: {KekIds}; new keys are wrapped under {CurrentKekId}",
            string.Join(", ", keks.Ids.Order(StringComparer.Ordinal)), keks.CurrentId);

        app.UseAuthentication();
        app.UseAuthorization();

        // Only other services of the fleet may issue, look up or export: reaching the port is not enough.
        app.MapInternalGrpcService<CertificatesGrpcService>();
        app.MapDefaultEndpoints();
        return app;
    }

    private static void AddCertificateServices(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CertificateOptions>()
            .Bind(builder.Configuration.GetSection(CertificateOptions.Section))
            .PostConfigure(options =>
            {
                // Development fleets keep their generated KEK with the rest of their state.
                if (string.IsNullOrWhiteSpace(options.KekDirectory) && options.GenerateDevelopmentKek
                    && builder.Configuration["Encimap:StateDirectory"] is { Length: > 0 } state)
                {
                    options.KekDirectory = Path.Combine(state, "certificates", "keks");
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CertificateOptions>, CertificateOptionsValidation>();
        services.TryAddTimeProvider();

        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionStringName)))
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not configured: the certificate service needs the encimap database.");
        }

        // Keyed "encimap", with its health check and telemetry (Aspire.Npgsql; the logger factory is the host's).
        builder.AddKeyedNpgsqlDataSource(ConnectionStringName, configureDataSourceBuilder: dataSource => dataSource.Name = ConnectionStringName);

        services.AddOptions<DkimOptions>()
            .Bind(builder.Configuration.GetSection(DkimOptions.Section))
            .Validate(options => DkimAlgorithms.FromOption(options.KeyAlgorithm) is not null,
                $"Dkim:KeyAlgorithm must be '{DkimAlgorithms.RsaOption}' or '{DkimAlgorithms.Ed25519Option}'")
            .Validate(options => CertificateOptions.IsValidKeySize(options.RsaKeySizeBits),
                $"Dkim:RsaKeySizeBits must be a multiple of 1024 from {CertificateOptions.MinKeySizeBits} to {CertificateOptions.MaxKeySizeBits}")
            .Validate(options => options.MaxMessageBytes > 0, "Dkim:MaxMessageBytes must be positive")
            .ValidateOnStart();

        // A SignDkim request carries the whole message: grpc-dotnet's limit (and with it Kestrel's
        // request body limit, see MapInternalGrpcService) follows the largest message signed.
        services.AddGrpc();
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<DkimOptions>>((grpc, dkim) =>
            grpc.MaxReceiveMessageSize = dkim.Value.MaxMessageBytes + GrpcEnvelopeAllowance);
        services.AddSingleton<CertificateTelemetry>();
        services.AddSingleton(provider => KeyEncryptionKeyRing.Load(provider.GetRequiredService<IOptions<CertificateOptions>>().Value));
        services.AddSingleton<PrivateKeyCustody>();
        services.AddSingleton<RsaKeyPool>();
        services.AddHostedService<RsaKeyPoolRefill>();
        services.AddSingleton<CertificateIssuer>();
        services.AddSingleton<CertificateVault>();
        services.AddSingleton<CertificateRenewal>();
        services.AddHostedService<CertificateRenewalService>();
        services.AddSingleton<DkimKeyStore>();
        services.AddSingleton<DkimKeyProvider>();
        services.AddSingleton<DkimMessageSigner>();
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(descriptor => descriptor.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}

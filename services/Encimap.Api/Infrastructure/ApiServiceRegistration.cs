using Encimap.Api.Certificates;
using Encimap.Api.Credentials;
using Encimap.Api.Health;
using Encimap.Api.Platform;
using Encimap.Api.Vaultboxes;
using Encimap.Contracts.Credentials;
using Encimap.Passwords;
using Encimap.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Encimap.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Npgsql;
using CertificatesContract = Encimap.Contracts.Certificates.Certificates;

namespace Encimap.Api.Infrastructure;

/// <summary>The API's services, registered once from Program.cs.</summary>
public static class ApiServiceRegistration
{
    public static WebApplicationBuilder AddApiServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<ApiOptions>(builder.Configuration.GetSection("Api"));
        services.AddSingleton(new EncimapDataSource(DataSource(builder.Configuration, "encimap")));
        services.AddSingleton(new PlatformDataSource(DataSource(builder.Configuration, "platform")));
        services.AddSingleton<IPasswordHasher>(new BcryptPasswordHasher(builder.Configuration.GetValue("Api:BcryptCost", 12)));
        services.AddSingleton(_ => new LoginCache(NewLoginCache(builder.Configuration), NewLoginCache(builder.Configuration)));
        services.AddSingleton<LoginVerifier>();
        services.AddSingleton<PlatformDirectory>();
        services.AddSingleton<VaultboxStore>();
        services.AddSingleton<VaultboxCreation>();
        services.AddSingleton<CredentialStore>();
        services.AddSingleton<CredentialHandlers>();
        services.AddSingleton<CertificateServiceClient>();
        services.AddSingleton<CertificateIssuer>();
        services.AddSingleton<DependencyProbe>();
        services.AddHttpClient("health");
        services.AddInternalGrpcClient<CertificatesContract.CertificatesClient>(CertificatesContract.Descriptor, "certificates", caller: "api");
        services.AddGrpc();
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            "encimap-database",
            provider => new PostgresHealthCheck(provider.GetRequiredService<EncimapDataSource>().DataSource),
            failureStatus: null,
            tags: ["database"]));
        services.AddOpenApi();
        services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>, UserTokenValidation>();
        return builder;
    }

    private static VerifiedCredentialCache<VerifyLoginReply> NewLoginCache(IConfiguration configuration) =>
        new(new VerifiedCredentialCacheOptions { TimeToLive = TimeSpan.FromSeconds(configuration.GetValue("Api:LoginCacheSeconds", 60)) });

    private static NpgsqlDataSource DataSource(IConfiguration configuration, string name)
    {
        var connectionString = configuration.GetConnectionString(name)
            ?? throw new InvalidOperationException($"ConnectionStrings:{name} is not configured.");
        return new NpgsqlDataSourceBuilder(connectionString) { Name = name }.Build();
    }
}

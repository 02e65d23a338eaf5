using Encimap.Api.Certificates;
using Encimap.Api.Credentials;
using Encimap.Api.Health;
using Encimap.Api.Platform;
using Encimap.Api.Vaultboxes;
using Encimap.Contracts.Credentials;
using Encimap.Passwords;
using Encimap.ServiceDefaults;
using Encimap.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using CertificatesContract = Encimap.Contracts.Certificates.Certificates;

namespace Encimap.Api.Infrastructure;

/// <summary>The API's services, registered once from Program.cs.</summary>
public static class ApiServiceRegistration
{
    public static WebApplicationBuilder AddApiServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<ApiOptions>(builder.Configuration.GetSection("Api"));
        // Health checks (/health) and telemetry of both come with Aspire.Npgsql.
        builder.AddKeyedNpgsqlDataSource(ApiDatabases.Encimap, configureDataSourceBuilder: dataSource => dataSource.Name = ApiDatabases.Encimap);
        builder.AddKeyedNpgsqlDataSource(ApiDatabases.Platform, configureDataSourceBuilder: dataSource => dataSource.Name = ApiDatabases.Platform);
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
        // The health answer reports the state of now: no retries that would hide a failing peer.
        services.AddHttpClient(DependencyProbe.HttpClientName).WithoutStandardResilience();
        services.AddInternalGrpcClient<CertificatesContract.CertificatesClient>(CertificatesContract.Descriptor, "certificates", caller: "api");
        services.AddGrpc();
        services.AddOpenApi();
        services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>, UserTokenValidation>();
        return builder;
    }

    private static VerifiedCredentialCache<VerifyLoginReply> NewLoginCache(IConfiguration configuration) =>
        new(new VerifiedCredentialCacheOptions { TimeToLive = TimeSpan.FromSeconds(configuration.GetValue("Api:LoginCacheSeconds", 60)) });
}

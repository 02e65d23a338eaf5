using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Encimap.ServiceDefaults.Security;

/// <summary>
/// Authentication of calls between services (gRPC): the caller sends a short-lived JWT for the
/// audience <c>encimap-internal</c> whose subject names the calling service, signed with the
/// fleet's key (<c>Jwt:Internal</c>, or the S2S key of <c>Jwt:S2S</c> when that section is
/// absent). Services map their internal methods with <see cref="Policy"/>
/// (<see cref="InternalGrpcEndpoints.MapInternalGrpcService{TService}"/>): reaching a port is not
/// enough to export a private key or test a password. Clients send the token with
/// <see cref="InternalCallTokenInterceptor"/> (<see cref="InternalGrpcClients.AddInternalGrpcClient{TClient}"/>).
/// </summary>
public static class InternalCallAuthentication
{
    public const string Scheme = "internal";
    public const string Policy = "internal";
    public const string Audience = "encimap-internal";

    /// <summary>Validates internal calls (server side).</summary>
    public static TBuilder AddInternalCallAuthentication<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var options = Options(builder.Configuration);
        builder.Services.AddAuthentication()
            .AddJwtBearer(Scheme, bearer =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = S2sAuthenticationExtensions.ValidationParameters(options);
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy
                .AddAuthenticationSchemes(Scheme)
                .RequireAuthenticatedUser()
                .RequireClaim(JwtRegisteredClaimNames.Sub));
        return builder;
    }

    /// <summary>The trust of internal calls: its own section if configured, else the S2S key with the internal audience.</summary>
    public static JwtOptions Options(IConfiguration configuration)
    {
        var section = configuration.GetSection("Jwt:Internal");
        var options = (section.Exists() ? section : configuration.GetSection(S2sAuthenticationExtensions.S2sSection)).Get<JwtOptions>() ?? new JwtOptions();
        options.Issuer = Audience;
        options.Audience = Audience;
        return options;
    }
}

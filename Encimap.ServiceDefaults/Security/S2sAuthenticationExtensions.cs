using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Encimap.ServiceDefaults.Security;

/// <summary>
/// Bearer authentication with the service-to-service JWT (<c>Jwt:S2S</c>): issuer, audience,
/// lifetime and signature checked; the user id is the <c>sub</c> claim.
/// </summary>
public static class S2sAuthenticationExtensions
{
    public const string S2sSection = "Jwt:S2S";

    /// <summary>The policy every S2S route requires: an authenticated caller with a <c>sub</c>.</summary>
    public const string S2sPolicy = "s2s";

    public static TBuilder AddS2sAuthentication<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var options = builder.Configuration.GetSection(S2sSection).Get<JwtOptions>() ?? new JwtOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(bearer =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = ValidationParameters(options);
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(S2sPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(JwtRegisteredClaimNames.Sub));
        return builder;
    }

    public static TokenValidationParameters ValidationParameters(JwtOptions options) => new()
    {
        ValidIssuer = options.Issuer,
        ValidAudience = options.Audience,
        IssuerSigningKeys = JwtKeys.ValidationKeys(options),
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = options.ClockSkew,
        NameClaimType = JwtRegisteredClaimNames.Sub,
    };
}

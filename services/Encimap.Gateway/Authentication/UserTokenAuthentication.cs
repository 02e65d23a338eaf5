using System.Security.Claims;
using Encimap.Gateway.Infrastructure;
using Encimap.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Encimap.Gateway.Authentication;

/// <summary>
/// The platform's user JWT (<c>Jwt:User</c>: HS256 <c>SigningKey</c> or RSA/ECDSA <c>PublicKeyPem</c>;
/// issuer <c>motorical-platform</c>, audience <c>encimap-gateway</c> unless configured): signature,
/// issuer, audience and lifetime checked, <c>sub</c> a user id (UUID). A request without a valid one
/// is answered 401 here and never reaches the API.
/// </summary>
public static class UserTokenAuthentication
{
    public const string Scheme = "user";
    public const string Policy = "user";
    public const string Section = "Jwt:User";
    public const string DefaultIssuer = "motorical-platform";
    public const string DefaultAudience = "encimap-gateway";

    /// <summary>The user-token trust, with the gateway's defaults for what configuration leaves out.</summary>
    public static JwtOptions Options(IConfiguration configuration)
    {
        var options = new JwtOptions { Issuer = DefaultIssuer, Audience = DefaultAudience };
        configuration.GetSection(Section).Bind(options);
        return options;
    }

    public static WebApplicationBuilder AddUserAuthentication(this WebApplicationBuilder builder)
    {
        var parameters = S2sAuthenticationExtensions.ValidationParameters(Options(builder.Configuration));
        builder.Services.AddAuthentication(Scheme)
            .AddJwtBearer(Scheme, bearer =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = parameters;
                bearer.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        if (UserId(context.Principal) is null)
                        {
                            context.Fail("the token's subject is not a user id");
                        }

                        return Task.CompletedTask;
                    },
                    OnChallenge = ChallengeAsync,
                };
            });
        builder.Services.AddAuthorizationBuilder()
            // No scheme of its own: the default scheme (this one) has already authenticated the
            // request in UseAuthentication, and naming it here would validate the token twice.
            .AddPolicy(Policy, policy => policy
                .RequireAuthenticatedUser()
                .RequireClaim(JwtRegisteredClaimNames.Sub));
        return builder;
    }

    /// <summary>The user id of an authenticated request, or null.</summary>
    public static Guid? UserId(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true && Guid.TryParse(user.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out var id)
            ? id
            : null;

    // RFC 6750 challenge plus the envelope; the reason is coarse (missing, expired, invalid) and
    // never names the key, the expected issuer or the expected audience.
    private static Task ChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var (message, header) = context.AuthenticateFailure switch
        {
            null => ("a bearer token is required", "Bearer"),
            SecurityTokenExpiredException => ("the token has expired", "Bearer error=\"invalid_token\", error_description=\"the token has expired\""),
            _ => ("the token is not valid", "Bearer error=\"invalid_token\""),
        };
        context.Response.Headers.WWWAuthenticate = header;
        GatewayTelemetry.Rejected("unauthorized");
        return GatewayErrors.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "unauthorized", message);
    }
}

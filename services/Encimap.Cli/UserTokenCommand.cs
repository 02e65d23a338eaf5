using System.CommandLine;
using Encimap.ServiceDefaults.Security;
using Microsoft.Extensions.Configuration;

namespace Encimap.Cli;

/// <summary>
/// <c>user-token</c>: a development USER JWT, as the platform would issue it to the gateway
/// (<c>Jwt:User</c>: issuer <c>motorical-platform</c>, audience <c>encimap-gateway</c> unless
/// configured; HS256). The key comes from <c>--signing-key</c>, else <c>Jwt__User__SigningKey</c>,
/// else the development fleet's <c>user-jwt-signing-key</c> in <c>.encimap/dev-secrets.json</c>.
/// </summary>
internal static class UserTokenCommand
{
    public const string Section = "Jwt:User";

    // The gateway's defaults for the user trust (services/Encimap.Gateway, UserTokenAuthentication).
    private const string DefaultIssuer = "motorical-platform";
    private const string DefaultAudience = "encimap-gateway";

    public static Command Create()
    {
        var user = new Option<Guid>("--user") { Description = "The user id (the token's sub).", Required = true };
        var lifetime = new Option<TimeSpan>("--lifetime")
        {
            Description = "How long the token is valid: 90s, 30m, 1h, 7d (at most 30d).",
            DefaultValueFactory = _ => TimeSpan.FromHours(1),
            CustomParser = TokenCommand.ParseLifetime,
        };
        var command = new Command(
            "user-token",
            "Print a development user JWT that the gateway accepts (Jwt:User issuer and audience, HS256). " +
            "Here --signing-key is the user-token key (default: Jwt__User__SigningKey, else the development fleet's).")
        {
            user, lifetime,
        };
        command.SetAction(CliContext.Action(async (context, cancellationToken) =>
        {
            var options = Options(context.ParseResult, new ConfigurationBuilder().AddEnvironmentVariables().Build());
            JwtTokenIssuer issuer;
            try
            {
                issuer = new JwtTokenIssuer(options);
            }
            catch (InvalidOperationException ex)
            {
                throw CliException.Usage(ex.Message);
            }
            var token = issuer.Mint(context.ParseResult.GetValue(user).ToString(), context.ParseResult.GetValue(lifetime));
            await context.Out.WriteLineAsync(token).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static JwtOptions Options(ParseResult parseResult, IConfiguration configuration)
    {
        var options = new JwtOptions { Issuer = DefaultIssuer, Audience = DefaultAudience };
        configuration.GetSection(Section).Bind(options);
        var key = parseResult.GetValue(GlobalOptions.SigningKey);
        if (string.IsNullOrEmpty(key))
        {
            key = options.SigningKey;
        }
        if (string.IsNullOrEmpty(key))
        {
            key = DevelopmentFleetState.TryLoad(configuration)?.UserJwtSigningKey;
        }
        if (string.IsNullOrEmpty(key))
        {
            throw CliException.Usage(
                "no user-token signing key: pass --signing-key or set Jwt__User__SigningKey (or start the development fleet once).");
        }
        options.SigningKey = key;
        // Mint with the shared secret only, whatever key files the environment names.
        options.PrivateKeyPem = null;
        return options;
    }
}

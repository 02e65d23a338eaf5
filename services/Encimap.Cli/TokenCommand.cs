using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Encimap.ServiceDefaults.Security;

namespace Encimap.Cli;

/// <summary><c>token</c>: a development S2S JWT, as the gateway would mint it.</summary>
internal static class TokenCommand
{
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    public static Command Create()
    {
        var user = new Option<Guid>("--user") { Description = "The user id (the token's sub).", Required = true };
        var lifetime = new Option<TimeSpan>("--lifetime")
        {
            Description = "How long the token is valid: 90s, 30m, 1h, 7d (at most 30d).",
            DefaultValueFactory = _ => TimeSpan.FromHours(1),
            CustomParser = ParseLifetime,
        };
        var command = new Command("token", "Print an S2S JWT for a user (Jwt:S2S issuer and audience, HS256 with the signing key).")
        {
            user, lifetime,
        };
        command.SetAction(CliContext.Action(async (context, cancellationToken) =>
        {
            var options = context.S2sOptions();
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

    // "90s", "30m", "1h", "7d", or a TimeSpan ("01:30:00").
    internal static TimeSpan ParseLifetime(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : "";
        TimeSpan? value = null;
        if (text.Length >= 2 && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            && amount <= (long)MaxLifetime.TotalSeconds)
        {
            value = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
        }
        else if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span))
        {
            value = span;
        }

        if (value is not { } lifetime || lifetime <= TimeSpan.Zero || lifetime > MaxLifetime)
        {
            result.AddError($"--lifetime: '{text}' is not a duration between 1s and 30d (examples: 90s, 30m, 1h, 7d).");
            return default;
        }
        return lifetime;
    }
}

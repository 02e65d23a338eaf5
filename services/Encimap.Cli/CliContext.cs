using System.CommandLine;
using Encimap.ServiceDefaults.Security;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Encimap.Cli;

/// <summary>
/// What a command needs besides its own arguments: output, and the connection strings and signing
/// key resolved from options, configuration (environment variables) or the development state.
/// </summary>
internal sealed class CliContext
{
    private readonly ParseResult _parseResult;
    private readonly IConfiguration _configuration;
    private readonly Lazy<DevelopmentFleetState?> _developmentState;

    private CliContext(ParseResult parseResult, IConfiguration configuration)
    {
        _parseResult = parseResult;
        _configuration = configuration;
        _developmentState = new Lazy<DevelopmentFleetState?>(() => DevelopmentFleetState.TryLoad(configuration));
        Out = parseResult.InvocationConfiguration.Output;
        Error = parseResult.InvocationConfiguration.Error;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public ParseResult ParseResult => _parseResult;

    /// <summary>Runs a command body, turning expected failures into a message and an exit code.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Action(Func<CliContext, CancellationToken, Task<int>> body) =>
        async (parseResult, cancellationToken) =>
        {
            var context = new CliContext(parseResult, new ConfigurationBuilder().AddEnvironmentVariables().Build());
            try
            {
                return await body(context, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                var (code, message) = CommandErrors.Describe(ex);
                await context.Error.WriteLineAsync($"encimapctl: {message}").ConfigureAwait(false);
                return code;
            }
        };

    /// <summary>The Encimap database (owner rights for migrations, read rights for exports).</summary>
    public NpgsqlConnectionStringBuilder EncimapConnection() =>
        Resolve(GlobalOptions.Encimap, "encimap", state => state.EncimapOwner);

    /// <summary>The platform database (owner rights for migrations, write rights for the seeds).</summary>
    public NpgsqlConnectionStringBuilder PlatformConnection() =>
        Resolve(GlobalOptions.Platform, "platform", state => state.PlatformOwner);

    /// <summary>The S2S trust: issuer and audience from <c>Jwt:S2S</c>, the secret from the option, configuration or development state.</summary>
    public JwtOptions S2sOptions()
    {
        var options = _configuration.GetSection(S2sAuthenticationExtensions.S2sSection).Get<JwtOptions>() ?? new JwtOptions();
        var key = _parseResult.GetValue(GlobalOptions.SigningKey);
        if (string.IsNullOrEmpty(key))
        {
            key = options.SigningKey;
        }
        if (string.IsNullOrEmpty(key))
        {
            key = _developmentState.Value?.S2sSigningKey;
        }
        if (string.IsNullOrEmpty(key))
        {
            throw CliException.Usage(
                "no S2S signing key: pass --signing-key or set Jwt__S2S__SigningKey (or start the development fleet once).");
        }
        options.SigningKey = key;
        // Mint with the shared secret only, whatever key files the environment names.
        options.PrivateKeyPem = null;
        return options;
    }

    private NpgsqlConnectionStringBuilder Resolve(Option<string?> option, string name, Func<DevelopmentFleetState, string?> fallback)
    {
        var value = _parseResult.GetValue(option);
        if (string.IsNullOrWhiteSpace(value))
        {
            value = _configuration.GetConnectionString(name);
        }
        if (string.IsNullOrWhiteSpace(value) && _developmentState.Value is { } state)
        {
            value = fallback(state);
        }
        if (string.IsNullOrWhiteSpace(value))
        {
            throw CliException.Usage(
                $"no connection string for the {name} database: pass {option.Name} or set ConnectionStrings__{name} " +
                "(or start the development fleet once so that .encimap/dev-secrets.json exists).");
        }
        try
        {
            return new NpgsqlConnectionStringBuilder(value);
        }
        catch (ArgumentException ex)
        {
            // The message names the bad keyword, never the value (it may hold a password).
            throw CliException.Usage($"the {name} connection string is not valid: {ex.Message}");
        }
    }
}

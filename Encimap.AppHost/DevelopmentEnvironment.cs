using Encimap.Database;

namespace Encimap.AppHost;

/// <summary>
/// What the development fleet keeps between runs and shares between its resources: the state
/// directory (<c>.encimap/</c>), its generated secrets as secret parameters, and the port offset.
/// </summary>
public sealed class DevelopmentEnvironment
{
    private readonly IDistributedApplicationBuilder _builder;
    private readonly Dictionary<string, IResourceBuilder<ParameterResource>> _parameters = new(StringComparer.Ordinal);

    private DevelopmentEnvironment(IDistributedApplicationBuilder builder, AppHostSettings settings, RepositoryLayout layout)
    {
        _builder = builder;
        Settings = settings;
        Layout = layout;
        Secrets = DevelopmentSecrets.Load(layout.StateDirectory);
    }

    public AppHostSettings Settings { get; }

    public RepositoryLayout Layout { get; }

    public DevelopmentSecrets Secrets { get; }

    public static DevelopmentEnvironment Load(IDistributedApplicationBuilder builder)
    {
        var settings = AppHostSettings.From(builder.Configuration);
        return new DevelopmentEnvironment(builder, settings, RepositoryLayout.Discover(settings));
    }

    /// <summary>A development port moved by the configured offset.</summary>
    public int Port(int developmentPort) => developmentPort + Settings.PortOffset;

    /// <summary>
    /// A secret parameter: <c>Parameters:{name}</c> when configured, otherwise the development
    /// secret <paramref name="secretKey"/> (generated once, kept in the state directory).
    /// </summary>
    public IResourceBuilder<ParameterResource> SecretParameter(string name, string secretKey)
    {
        if (!_parameters.TryGetValue(name, out var parameter))
        {
            var configured = _builder.Configuration[$"Parameters:{name}"];
            parameter = _builder.AddParameter(name, () => string.IsNullOrEmpty(configured) ? Secrets.GetOrCreate(secretKey) : configured, secret: true);
            _parameters[name] = parameter;
        }

        return parameter;
    }

    /// <summary>Whether the operator set <c>Parameters:{name}</c>.</summary>
    public bool IsConfigured(string name) => _builder.Configuration[$"Parameters:{name}"] is not null;

    /// <summary>An operator setting: <c>Parameters:{name}</c>, or <paramref name="defaultValue"/>.</summary>
    public IResourceBuilder<ParameterResource> Setting(string name, string defaultValue, bool secret = false)
    {
        if (!_parameters.TryGetValue(name, out var parameter))
        {
            var configured = _builder.Configuration[$"Parameters:{name}"];
            parameter = _builder.AddParameter(name, () => configured ?? defaultValue, secret: secret);
            _parameters[name] = parameter;
        }

        return parameter;
    }

    /// <summary>The passwords of the four database roles (the owners' only in the state directory, for encimapctl).</summary>
    public RolePasswords RolePasswords() => new(
        Secrets.GetOrCreate("postgres-encimap-owner"),
        SecretValue("encimap-app-password", "postgres-encimap-app"),
        Secrets.GetOrCreate("postgres-platform-owner"),
        SecretValue("platform-reader-password", "postgres-platform-reader"));

    private string SecretValue(string parameterName, string secretKey) =>
        _builder.Configuration[$"Parameters:{parameterName}"] is { Length: > 0 } configured ? configured : Secrets.GetOrCreate(secretKey);
}

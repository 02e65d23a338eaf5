using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Encimap.ServiceDefaults;

/// <summary>
/// Configuration-based service discovery in Aspire's format: <c>services:{service}:{endpoint}:{index}</c>
/// (environment: <c>services__certificates__grpc__0=http://127.0.0.1:5101</c>).
/// Microsoft.Extensions.ServiceDiscovery cannot be restored here; this reads the same keys.
/// Answers are remembered until the configuration reloads: finding a section walks every key of
/// every provider, and every outgoing call asks.
/// </summary>
public sealed class ServiceEndpointResolver
{
    private readonly IConfiguration _configuration;
    private readonly ConcurrentDictionary<string, Uri?> _resolved = new(StringComparer.Ordinal);

    public ServiceEndpointResolver(IConfiguration configuration)
    {
        _configuration = configuration;
        ChangeToken.OnChange(configuration.GetReloadToken, _resolved.Clear);
    }

    /// <summary>
    /// Resolves a logical host: <c>certificates</c> (its <c>http</c> endpoint, else its first) or
    /// <c>_grpc.certificates</c> (the endpoint named <c>grpc</c>). Null when nothing is configured.
    /// </summary>
    public Uri? Resolve(string logicalHost) => _resolved.GetOrAdd(logicalHost, ResolveFromConfiguration);

    private Uri? ResolveFromConfiguration(string logicalHost)
    {
        var (service, endpoint) = Split(logicalHost);
        var section = _configuration.GetSection("services").GetSection(service);
        if (!section.Exists())
        {
            return null;
        }

        var chosen = endpoint is not null
            ? section.GetSection(endpoint)
            : PreferHttp(section);
        var first = chosen?.GetChildren().OrderBy(c => c.Key, StringComparer.Ordinal).FirstOrDefault()?.Value;
        return Uri.TryCreate(first, UriKind.Absolute, out var uri) ? uri : null;
    }

    private static (string Service, string? Endpoint) Split(string logicalHost)
    {
        // "_endpoint.service" is Aspire's way to name an endpoint inside a host name.
        if (logicalHost.StartsWith('_') && logicalHost.IndexOf('.') is var dot and > 1)
        {
            return (logicalHost[(dot + 1)..], logicalHost[1..dot]);
        }

        return (logicalHost, null);
    }

    private static IConfigurationSection? PreferHttp(IConfigurationSection service)
    {
        var http = service.GetSection("http");
        return http.Exists() ? http : service.GetChildren().FirstOrDefault();
    }
}

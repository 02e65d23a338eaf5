namespace Encimap.AppHost.Otlp;

/// <summary>
/// The OpenTelemetry variables every service starts with: by default the AppHost's own OTLP/HTTP
/// receiver (the dashboard's base address) with http/protobuf, and short export intervals so that
/// the dashboard shows a request within a second or two. Configuration overrides each of them
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set to another collector, or set empty to export nothing).
/// </summary>
public static class OtlpEnvironment
{
    private static readonly (string Name, string Value)[] DashboardDefaults =
    [
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ("OTEL_BSP_SCHEDULE_DELAY", "1000"),
        ("OTEL_BLRP_SCHEDULE_DELAY", "1000"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "5000"),
    ];

    public static IEnumerable<KeyValuePair<string, string>> For(string dashboardUrl, IConfiguration configuration)
    {
        var configured = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var endpoint = configured ?? ReceiverEndpoint(dashboardUrl);
        if (endpoint.Length == 0)
        {
            yield break;
        }

        yield return new("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
        foreach (var (name, value) in DashboardDefaults)
        {
            if (configuration[name] is { Length: > 0 } own)
            {
                yield return new(name, own);
            }
            else if (configured is null || name == "OTEL_EXPORTER_OTLP_PROTOCOL")
            {
                yield return new(name, value);
            }
        }
    }

    /// <summary>The address services reach the dashboard at: its first URL, a wildcard host made loopback.</summary>
    public static string ReceiverEndpoint(string dashboardUrl)
    {
        var first = dashboardUrl.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        first = first.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(first, UriKind.Absolute, out var uri))
        {
            return "";
        }

        var host = uri.Host is "0.0.0.0" ? "127.0.0.1" : uri.Host is "[::]" or "::" ? "[::1]" : uri.Host;
        return $"{uri.Scheme}://{host}:{uri.Port}";
    }
}

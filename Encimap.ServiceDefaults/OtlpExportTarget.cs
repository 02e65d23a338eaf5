using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;

namespace Encimap.ServiceDefaults;

/// <summary>
/// Where telemetry goes, read from configuration (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>) rather than only from environment variables, so that any
/// configuration source works. http/protobuf (what the AppHost dashboard receives) by default.
/// </summary>
internal sealed class OtlpExportTarget(Uri endpoint, OtlpExportProtocol protocol)
{
    public static OtlpExportTarget? FromConfiguration(IConfiguration configuration)
    {
        if (!Uri.TryCreate(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"], UriKind.Absolute, out var endpoint))
        {
            return null;
        }

        var protocol = string.Equals(configuration["OTEL_EXPORTER_OTLP_PROTOCOL"], "grpc", StringComparison.OrdinalIgnoreCase)
            ? OtlpExportProtocol.Grpc
            : OtlpExportProtocol.HttpProtobuf;
        return new OtlpExportTarget(endpoint, protocol);
    }

    /// <summary>Points an exporter at the signal's path (<c>/v1/traces</c>…); over gRPC the base address serves all.</summary>
    public void Configure(OtlpExporterOptions options, string signal)
    {
        options.Protocol = protocol;
        options.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/v1/" + signal)
            : endpoint;
    }
}

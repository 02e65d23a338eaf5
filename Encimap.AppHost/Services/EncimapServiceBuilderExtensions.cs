using System.Globalization;

namespace Encimap.AppHost.Services;

/// <summary>
/// How the fleet runs a service: its built program, started by DCP directly (no <c>dotnet run</c>
/// wrapper and SDK process left beside every service: that pair cost ~190 MB per service), on its
/// fixed development ports (mail clients and curl find them), with OpenTelemetry exported to the
/// dashboard and <c>/health</c> as its health check.
/// </summary>
public static class EncimapServiceBuilderExtensions
{
    public static IResourceBuilder<ServiceResource> AddService<TProject>(
        this IDistributedApplicationBuilder builder, string name, int httpPort, DevelopmentEnvironment development)
        where TProject : IProjectMetadata, new()
    {
        var program = development.Layout.ServiceProgram(new TProject().ProjectPath);
        var environment = builder.Environment.EnvironmentName;
        return builder.AddResource(new ServiceResource(name, program, Path.GetDirectoryName(program)!))
            .WithKestrelEndpoint("http", development.Port(httpPort), http2Only: false)
            .WithOtlpExporter()
            .WithEnvironment("DOTNET_ENVIRONMENT", environment)
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", environment)
            .WithEnvironment("Encimap__StateDirectory", development.Layout.StateDirectory)
            .WithEnvironment("Logging__Console__FormatterOptions__SingleLine", "true")
            // Every service signs and checks internal calls with the S2S key; the API also
            // validates the gateway's user-scoped S2S tokens with it.
            .WithEnvironment("Jwt__S2S__SigningKey", development.SecretParameter("s2s-signing-key", "s2s-signing-key"))
            .WithHttpHealthCheck("/health", endpointName: "http")
            .WithIconName("Server");
    }

    /// <summary>The service's h2c endpoint for gRPC (HTTP/2 only: no TLS to negotiate it).</summary>
    public static IResourceBuilder<ServiceResource> WithGrpcEndpoint(
        this IResourceBuilder<ServiceResource> builder, int port, DevelopmentEnvironment development) =>
        builder.WithKestrelEndpoint("grpc", development.Port(port), http2Only: true);

    /// <summary>A mail port (SMTP, IMAP) the service listens on itself, told through <paramref name="configurationKey"/>.</summary>
    public static IResourceBuilder<ServiceResource> WithMailEndpoint(
        this IResourceBuilder<ServiceResource> builder, string name, int port, string scheme, string configurationKey, DevelopmentEnvironment development)
    {
        var actual = development.Port(port);
        return builder
            .WithEndpoint(port: actual, targetPort: actual, scheme: scheme, name: name, isProxied: false)
            .WithEnvironment(context => context.EnvironmentVariables[configurationKey] =
                $"127.0.0.1:{ListenPort(context, name).ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>The TLS certificate of the mail ports: the operator's PEM files, or a self-signed development one.</summary>
    public static IResourceBuilder<ServiceResource> WithServerCertificate(
        this IResourceBuilder<ServiceResource> builder, DevelopmentEnvironment development)
    {
        var (certificate, key) = DevelopmentTlsCertificate.Ensure(development.Layout.StateDirectory);
        return builder
            .WithEnvironment("Tls__CertificatePemFile", development.Setting("tls-certificate", certificate))
            .WithEnvironment("Tls__KeyPemFile", development.Setting("tls-key", key));
    }

    private static IResourceBuilder<ServiceResource> WithKestrelEndpoint(
        this IResourceBuilder<ServiceResource> builder, string name, int port, bool http2Only)
    {
        return builder
            .WithHttpEndpoint(port: port, targetPort: port, name: name, isProxied: false)
            .WithEnvironment(context => context.EnvironmentVariables[$"Kestrel__Endpoints__{name}__Url"] =
                $"http://127.0.0.1:{ListenPort(context, name).ToString(CultureInfo.InvariantCulture)}")
            .WithEnvironment($"Kestrel__Endpoints__{name}__Protocols", http2Only ? "Http2" : "Http1AndHttp2");
    }

    // The port of the endpoint as declared on the resource being started, not captured when it was
    // declared: a second instance of a service (tests declare some) listens where its own endpoint says.
    private static int ListenPort(EnvironmentCallbackContext context, string endpointName) =>
        context.Resource.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == endpointName).TargetPort
            ?? throw new InvalidOperationException($"{context.Resource.Name}: endpoint {endpointName} has no port");
}

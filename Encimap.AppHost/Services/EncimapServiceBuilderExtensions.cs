using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.AppHost.Services;

/// <summary>
/// How the fleet runs a service: its built program, started by DCP directly (no <c>dotnet run</c>
/// wrapper and SDK process left beside every service: that pair cost ~190 MB per service), on its
/// fixed development ports (mail clients and curl find them), with OpenTelemetry exported to the
/// dashboard and <c>/health</c> as its health check.
/// <para>
/// With <see cref="AppHostSettings.Replicas"/> above one (<c>--AppHost:Replicas=2</c>), each
/// service is a project with Aspire's replicas (<c>WithReplicas</c>): DCP replicates projects only,
/// not plain executables, so each replica pays for the <c>dotnet run</c> wrapper. Every endpoint is
/// then proxied: DCP listens on the development port and hands each new connection to one replica
/// (in turn), which listens on a port DCP allocated for it (<see cref="EndpointProperty.TargetPort"/>,
/// written into that replica's environment). DCP's proxy forwards TCP streams, not HTTP requests, so
/// the same proxy carries the mail ports (SMTP 2525/2587 with STARTTLS end to end, IMAP 1143,
/// IMAPS 1993) as well as HTTP and h2c gRPC. Consequences: a connection stays on the replica it was
/// given (an IDLE session, an HTTP/2 channel: internal gRPC clients recycle their connections so
/// that calls spread, see InternalGrpcClients), and the servers see the proxy's loopback address as
/// the client's (SPF and per-address limits need the real one: in a cluster, a load balancer
/// that keeps the source address). With one replica (the default) the service listens on the
/// development port itself, no proxy between.
/// </para>
/// </summary>
public static class EncimapServiceBuilderExtensions
{
    public static IResourceBuilder<IFleetService> AddService<TProject>(
        this IDistributedApplicationBuilder builder, string name, int httpPort, DevelopmentEnvironment development)
        where TProject : IProjectMetadata, new()
    {
        var environment = builder.Environment.EnvironmentName;
        return builder.AddServiceProcesses<TProject>(name, development)
            .WithKestrelEndpoint("http", development.Port(httpPort), http2Only: false)
            .WithTelemetryToDashboard()
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

    // One process: the built program itself. Several: a project resource with replicas, since DCP
    // replicates nothing else (each replica then runs under `dotnet run --no-build`).
    private static IResourceBuilder<IFleetService> AddServiceProcesses<TProject>(
        this IDistributedApplicationBuilder builder, string name, DevelopmentEnvironment development)
        where TProject : IProjectMetadata, new()
    {
        if (development.Settings.Replicas <= 1)
        {
            var program = development.Layout.ServiceProgram(new TProject().ProjectPath);
            return builder.AddResource(new ServiceResource(name, program, Path.GetDirectoryName(program)!));
        }

        // What AddProject does for its own ProjectResource (evaluation API: AddProject itself
        // returns a type that cannot carry the fleet's settings); no launch profile, no endpoints
        // from appsettings: the AppHost declares them.
#pragma warning disable ASPIREPROJECTS001
        return builder.AddResource(new ReplicatedServiceResource(name))
            .WithAnnotation<IProjectMetadata>(new TProject())
            .WithProjectDefaults(new ProjectResourceOptions { ExcludeLaunchProfile = true, ExcludeKestrelEndpoints = true })
            .WithAnnotation(new ReplicaAnnotation(development.Settings.Replicas));
#pragma warning restore ASPIREPROJECTS001
    }

    // Telemetry goes to the dashboard's OTLP endpoint, and only when a dashboard runs (tests run the
    // fleet without one): Aspire sets the endpoint either way, and exporters sending to a port where
    // nothing listens retry with backoff, which held every service's shutdown for 10-20 s.
    private static IResourceBuilder<IFleetService> WithTelemetryToDashboard(this IResourceBuilder<IFleetService> builder) =>
        builder.WithOtlpExporter().WithEnvironment(context =>
        {
            if (context.ExecutionContext.Services.GetRequiredService<DistributedApplicationOptions>().DisableDashboard)
            {
                context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
            }
        });

    /// <summary>The service's h2c endpoint for gRPC (HTTP/2 only: no TLS to negotiate it).</summary>
    public static IResourceBuilder<IFleetService> WithGrpcEndpoint(
        this IResourceBuilder<IFleetService> builder, int port, DevelopmentEnvironment development) =>
        builder.WithKestrelEndpoint("grpc", development.Port(port), http2Only: true);

    /// <summary>A mail port (SMTP, IMAP) the service listens on itself, told through <paramref name="configurationKey"/>.</summary>
    public static IResourceBuilder<IFleetService> WithMailEndpoint(
        this IResourceBuilder<IFleetService> builder, string name, int port, string scheme, string configurationKey, DevelopmentEnvironment development)
    {
        var actual = development.Port(port);
        if (HasReplicas(builder))
        {
            builder.WithEndpoint(port: actual, scheme: scheme, name: name);
            return builder.WithEnvironment(configurationKey, ReplicaListenAddress(builder, name, scheme: null));
        }

        return builder
            .WithEndpoint(port: actual, targetPort: actual, scheme: scheme, name: name, isProxied: false)
            .WithEnvironment(context => context.EnvironmentVariables[configurationKey] =
                $"127.0.0.1:{ListenPort(context, name).ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>The TLS certificate of the mail ports: the operator's PEM files, or a self-signed development one.</summary>
    public static IResourceBuilder<IFleetService> WithServerCertificate(
        this IResourceBuilder<IFleetService> builder, DevelopmentEnvironment development)
    {
        var (certificate, key) = DevelopmentTlsCertificate.Ensure(development.Layout.StateDirectory);
        return builder
            .WithEnvironment("Tls__CertificatePemFile", development.Setting("tls-certificate", certificate))
            .WithEnvironment("Tls__KeyPemFile", development.Setting("tls-key", key));
    }

    private static IResourceBuilder<IFleetService> WithKestrelEndpoint(
        this IResourceBuilder<IFleetService> builder, string name, int port, bool http2Only)
    {
        if (HasReplicas(builder))
        {
            builder.WithHttpEndpoint(port: port, name: name);
            return builder
                .WithEnvironment($"Kestrel__Endpoints__{name}__Url", ReplicaListenAddress(builder, name, scheme: "http"))
                .WithEnvironment($"Kestrel__Endpoints__{name}__Protocols", http2Only ? "Http2" : "Http1AndHttp2");
        }

        return builder
            .WithHttpEndpoint(port: port, targetPort: port, name: name, isProxied: false)
            .WithEnvironment(context => context.EnvironmentVariables[$"Kestrel__Endpoints__{name}__Url"] =
                $"http://127.0.0.1:{ListenPort(context, name).ToString(CultureInfo.InvariantCulture)}")
            .WithEnvironment($"Kestrel__Endpoints__{name}__Protocols", http2Only ? "Http2" : "Http1AndHttp2");
    }

    private static bool HasReplicas(IResourceBuilder<IFleetService> builder) => builder.Resource.GetReplicaCount() > 1;

    // Each replica's own port behind the proxy: DCP allocates it and writes it into this replica's
    // environment when it starts the process.
    private static ReferenceExpression ReplicaListenAddress(IResourceBuilder<IFleetService> builder, string endpointName, string? scheme)
    {
        var targetPort = builder.GetEndpoint(endpointName).Property(EndpointProperty.TargetPort);
        return scheme is null
            ? ReferenceExpression.Create($"127.0.0.1:{targetPort}")
            : ReferenceExpression.Create($"{scheme}://127.0.0.1:{targetPort}");
    }

    // The port of the endpoint as declared on the resource being started, not captured when it was
    // declared: a second instance of a service (tests declare some) listens where its own endpoint says.
    private static int ListenPort(EnvironmentCallbackContext context, string endpointName) =>
        context.Resource.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == endpointName).TargetPort
            ?? throw new InvalidOperationException($"{context.Resource.Name}: endpoint {endpointName} has no port");
}

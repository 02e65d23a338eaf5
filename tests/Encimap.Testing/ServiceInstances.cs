using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Encimap.AppHost.Services;

namespace Encimap.Testing;

/// <summary>
/// Declares another instance of one of the fleet's services, before the fleet is built: the same
/// built program with the same settings, references and waits as the AppHost declared for the
/// original, on free ports of its own. The AppHost derives every listen address from the resource's
/// own endpoints, so the copied settings make the instance listen on its new ports.
/// </summary>
internal static class ServiceInstances
{
    public static IResourceBuilder<ServiceResource> Declare(IDistributedApplicationBuilder builder, string service, string instance)
    {
        var original = builder.Resources.OfType<ServiceResource>().SingleOrDefault(r => r.Name == service)
            ?? throw new ArgumentException($"the fleet has no service {service}", nameof(service));
        var copy = builder.AddResource(new ServiceResource(instance, original.Command, original.WorkingDirectory));
        foreach (var annotation in original.Annotations.Where(IsSetting))
        {
            copy.WithAnnotation(annotation, ResourceAnnotationMutationBehavior.Append);
        }

        foreach (var endpoint in original.Annotations.OfType<EndpointAnnotation>())
        {
            var port = FreePort();
            copy.WithEndpoint(port: port, targetPort: port, scheme: endpoint.UriScheme, name: endpoint.Name, isProxied: false);
        }

        return copy.WithHttpHealthCheck("/health", endpointName: "http");
    }

    // What the AppHost declared about the process (environment, arguments, references, what it
    // waits for), not its ports, health check, commands or state, which are the instance's own.
    private static bool IsSetting(IResourceAnnotation annotation) => annotation
        is EnvironmentCallbackAnnotation
        or CommandLineArgsCallbackAnnotation
        or EndpointReferenceAnnotation
        or ReferenceEnvironmentInjectionAnnotation
        or OtlpExporterAnnotation
        or WaitAnnotation
        or ResourceRelationshipAnnotation;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

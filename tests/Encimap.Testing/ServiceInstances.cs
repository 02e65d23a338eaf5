using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Encimap.AppHost.Services;

namespace Encimap.Testing;

/// <summary>
/// Declares another instance of one of the fleet's services, before the fleet is built: the same
/// built program with the same settings, references and waits as the AppHost declared for the
/// original, on free ports of its own. The AppHost derives every listen address from the resource's
/// own endpoints, so the copied settings make the instance listen on its new ports.
/// (Aspire has no replicas for executables, and a replica would share the original's ports.)
/// </summary>
internal static class ServiceInstances
{
    public static IResourceBuilder<ServiceResource> Declare(IDistributedApplicationBuilder builder, string service, string instance)
    {
        var original = builder.Resources.OfType<ServiceResource>().SingleOrDefault(r => r.Name == service)
            ?? throw new ArgumentException($"the fleet has no service {service}", nameof(service));
        var copy = builder.AddResource(new ServiceResource(instance, original.Command, original.WorkingDirectory));
        var own = copy.Resource.Annotations.Select(a => a.GetType()).ToHashSet();
        foreach (var annotation in original.Annotations.Where(a => IsSetting(a) && !own.Contains(a.GetType())))
        {
            copy.WithAnnotation(Copy(annotation), ResourceAnnotationMutationBehavior.Append);
        }

        foreach (var endpoint in original.Annotations.OfType<EndpointAnnotation>())
        {
            var port = LoopbackPort.Free();
            copy.WithEndpoint(port: port, targetPort: port, scheme: endpoint.UriScheme, name: endpoint.Name, isProxied: false);
        }

        return copy.WithHttpHealthCheck("/health", endpointName: "http");
    }

    // What the AppHost declared about the process: its environment (some of it in annotation
    // types Aspire keeps internal), arguments, references and what it waits for. Not its ports,
    // health check, state or commands, which are the instance's own; not its program, which the
    // instance was made with.
    private static bool IsSetting(IResourceAnnotation annotation) => annotation
        is not EndpointAnnotation
        and not HealthCheckAnnotation
        and not ResourceSnapshotAnnotation
        and not ResourceCommandAnnotation
        and not ResourceUrlAnnotation
        and not ResourceUrlsCallbackAnnotation;

    // A callback annotation evaluates once and keeps its result: the instance gets callbacks of its
    // own, evaluated for it. The other annotations are plain data and can be shared.
    private static IResourceAnnotation Copy(IResourceAnnotation annotation) => annotation switch
    {
        EnvironmentCallbackAnnotation environment => new EnvironmentCallbackAnnotation(environment.Callback),
        CommandLineArgsCallbackAnnotation arguments => new CommandLineArgsCallbackAnnotation(arguments.Callback),
        _ => annotation,
    };
}

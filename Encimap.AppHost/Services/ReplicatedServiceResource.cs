namespace Encimap.AppHost.Services;

/// <summary>
/// A service of the fleet run as several processes: a project resource, because DCP replicates
/// only projects (a <see cref="ReplicaAnnotation"/> on a plain executable starts one process).
/// DCP starts each replica with <c>dotnet run --no-build</c>, the price of replicas in development.
/// </summary>
public sealed class ReplicatedServiceResource(string name) : ProjectResource(name), IFleetService;

namespace Encimap.AppHost.Services;

/// <summary>
/// What the AppHost declares about a service of the fleet, whichever way DCP starts it
/// (<see cref="ServiceResource"/> for one process, <see cref="ReplicatedServiceResource"/> for
/// several): its environment, endpoints, what it waits for, and its name in service discovery.
/// </summary>
public interface IFleetService : IResourceWithEnvironment, IResourceWithArgs, IResourceWithEndpoints, IResourceWithWaitSupport, IResourceWithServiceDiscovery;

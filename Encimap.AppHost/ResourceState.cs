namespace Encimap.AppHost;

/// <summary>Lifecycle of a resource, as the resources API and dashboard report it.</summary>
public enum ResourceState
{
    NotStarted,
    Starting,
    Running,
    Restarting,
    Stopping,
    Stopped,
    Failed,
}

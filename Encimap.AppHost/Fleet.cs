namespace Encimap.AppHost;

/// <summary>The resources of the running fleet, in start order.</summary>
public sealed class Fleet
{
    private readonly List<FleetResource> _resources = [];
    private readonly Lock _gate = new();
    private volatile bool _started;

    public bool IsReady => _started && Resources.All(r => r.State == ResourceState.Running && r.Health != ResourceHealth.Unhealthy);

    public IReadOnlyList<FleetResource> Resources
    {
        get { lock (_gate) { return _resources.ToList(); } }
    }

    public void Add(FleetResource resource)
    {
        lock (_gate) { _resources.Add(resource); }
    }

    public FleetResource? Find(string name) => Resources.FirstOrDefault(r => r.Name == name);

    public IReadOnlyList<ResourceSnapshot> Snapshot() => Resources.Select(r => r.Snapshot()).ToList();

    /// <summary>Marks that every declared resource has been started once.</summary>
    public void MarkStarted() => _started = true;
}

namespace Encimap.AppHost;

/// <summary>Something the AppHost starts, watches and stops: the database or a service.</summary>
public abstract class FleetResource(string name, string type)
{
    private readonly Lock _gate = new();
    private ResourceState _state = ResourceState.NotStarted;
    private ResourceHealth _health = ResourceHealth.Unknown;
    private int? _pid;
    private int _restarts;
    private DateTimeOffset? _startedAt;

    public string Name { get; } = name;

    public string Type { get; } = type;

    public ResourceLog Log { get; } = new();

    public abstract IReadOnlyList<ResourceEndpoint> Endpoints { get; }

    public ResourceState State
    {
        get { lock (_gate) { return _state; } }
    }

    public ResourceHealth Health
    {
        get { lock (_gate) { return _health; } }
    }

    public abstract Task StartAsync(CancellationToken cancellationToken);

    public abstract Task StopAsync(CancellationToken cancellationToken);

    public ResourceSnapshot Snapshot()
    {
        lock (_gate)
        {
            var uptime = _state == ResourceState.Running && _startedAt is { } started
                ? Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds, 1)
                : (double?)null;
            return new ResourceSnapshot(Name, Type, _state.ToString(), _health.ToString(), _pid, Endpoints, _restarts, _startedAt, uptime);
        }
    }

    protected void SetState(ResourceState state)
    {
        lock (_gate)
        {
            _state = state;
            if (state is ResourceState.Stopped or ResourceState.Failed)
            {
                _health = ResourceHealth.Unknown;
            }
        }
    }

    protected void SetHealth(ResourceHealth health)
    {
        lock (_gate) { _health = health; }
    }

    protected void SetProcess(int? pid)
    {
        lock (_gate)
        {
            _pid = pid;
            _startedAt = pid is null ? null : DateTimeOffset.UtcNow;
        }
    }

    protected void CountRestart()
    {
        lock (_gate) { _restarts++; }
    }
}

using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Xunit;

namespace Encimap.Testing;

/// <summary>
/// The replicas of the fleet's services (<c>--AppHost:Replicas</c>): each replica is a resource of
/// its own in the orchestrator, with an id, its own listen ports and its own Stop and Start.
/// </summary>
public partial class EncimapFleet
{
    /// <summary>The ids of the replicas of <paramref name="service"/>, in a stable order.</summary>
    public async Task<IReadOnlyList<string>> ReplicaIdsAsync(string service)
    {
        // The notification service replays every resource's current state to a new watcher.
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        using var replayed = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await foreach (var update in App.ResourceNotifications.WatchAsync(replayed.Token))
            {
                if (update.Resource.Name == service)
                {
                    ids.Add(update.ResourceId);
                }
            }
        }
        catch (OperationCanceledException) when (replayed.IsCancellationRequested)
        {
        }

        return [.. ids];
    }

    /// <summary>
    /// The port a replica listens on itself, behind the proxy: read from the environment the
    /// replica was started with (<paramref name="listenVariable"/>, e.g. <c>Imap__TlsEndpoint</c>).
    /// </summary>
    public int ReplicaPort(string replicaId, string listenVariable)
    {
        Assert.True(App.ResourceNotifications.TryGetCurrentState(replicaId, out var state), $"no state for {replicaId}");
        var values = state.Snapshot.EnvironmentVariables.Where(v => v.Name == listenVariable).Select(v => v.Value).ToList();
        foreach (var value in values)
        {
            var port = value?[(value.LastIndexOf(':') + 1)..];
            if (int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }
        }

        throw new InvalidOperationException($"{replicaId}: {listenVariable} has no port ({string.Join(", ", values)})");
    }

    /// <summary>Stops one replica (its own Stop command) and waits until its process has ended.</summary>
    public async Task StopReplicaAsync(string replicaId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var result = await App.ResourceCommands.ExecuteCommandAsync(replicaId, KnownResourceCommands.StopCommand, timeout.Token);
        Assert.True(result.Success, $"stopping {replicaId}: {result.Message}");
        await WaitForReplicaAsync(replicaId, state => KnownResourceStates.TerminalStates.Contains(state), timeout.Token);
    }

    /// <summary>Starts a stopped replica again and waits until its own <c>/health</c> answers 200.</summary>
    public async Task StartReplicaAsync(string replicaId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = await App.ResourceCommands.ExecuteCommandAsync(replicaId, KnownResourceCommands.StartCommand, timeout.Token);
        Assert.True(result.Success, $"starting {replicaId}: {result.Message}");
        await WaitForReplicaAsync(replicaId, state => state == KnownResourceStates.Running, timeout.Token);
        while (true)
        {
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                using var health = await http.GetAsync(
                    new Uri($"http://127.0.0.1:{ReplicaPort(replicaId, "Kestrel__Endpoints__http__Url")}/health"), timeout.Token);
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException && !timeout.IsCancellationRequested)
            {
                // not listening yet, or its new environment not known yet
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    private async Task WaitForReplicaAsync(string replicaId, Func<string?, bool> reached, CancellationToken cancellationToken)
    {
        if (App.ResourceNotifications.TryGetCurrentState(replicaId, out var current) && reached(current.Snapshot.State?.Text))
        {
            return;
        }

        await foreach (var update in App.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (update.ResourceId == replicaId && reached(update.Snapshot.State?.Text))
            {
                return;
            }
        }
    }
}

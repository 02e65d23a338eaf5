using System.Text;
using Aspire.Hosting.ApplicationModel;

namespace Encimap.Testing;

/// <summary>
/// Everything the fleet's services print, kept from their start (the AppHost's resource logs):
/// tests look for what a service logged, or show it when something failed.
/// </summary>
internal sealed class ResourceLogs : IAsyncDisposable
{
    private readonly Dictionary<string, StringBuilder> _logs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _watchers = [];

    /// <summary>
    /// Starts collecting the logs of <paramref name="resources"/> (by name); call before the fleet
    /// starts. The orchestrator logs under each run's own resource id, which the notifications tell.
    /// </summary>
    public void Watch(ResourceNotificationService notifications, ResourceLoggerService logger, IEnumerable<string> resources)
    {
        lock (_logs)
        {
            foreach (var resource in resources)
            {
                _logs[resource] = new StringBuilder();
            }
        }

        Track(Task.Run(() => FollowAsync(notifications, logger)));
    }

    public string Text(string resource)
    {
        StringBuilder? text;
        lock (_logs)
        {
            if (!_logs.TryGetValue(resource, out text))
            {
                throw new ArgumentException($"no logs are collected for {resource}", nameof(resource));
            }
        }

        lock (text)
        {
            return text.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Task[] watchers;
        lock (_watchers)
        {
            watchers = [.. _watchers];
        }

        await Task.WhenAll(watchers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private void Track(Task watcher)
    {
        lock (_watchers)
        {
            _watchers.Add(watcher);
        }
    }

    private async Task FollowAsync(ResourceNotificationService notifications, ResourceLoggerService logger)
    {
        var watched = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await foreach (var update in notifications.WatchAsync(_stop.Token))
            {
                StringBuilder? text;
                lock (_logs)
                {
                    _logs.TryGetValue(update.Resource.Name, out text);
                }

                if (text is not null && watched.Add(update.ResourceId))
                {
                    Track(Task.Run(() => CollectAsync(logger, update.ResourceId, text)));
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task CollectAsync(ResourceLoggerService logger, string resourceId, StringBuilder text)
    {
        try
        {
            await foreach (var batch in logger.WatchAsync(resourceId).WithCancellation(_stop.Token))
            {
                lock (text)
                {
                    foreach (var line in batch)
                    {
                        text.AppendLine(line.Content);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }
}

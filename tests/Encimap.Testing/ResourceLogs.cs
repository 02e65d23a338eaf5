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

    /// <summary>Starts collecting the logs of <paramref name="resources"/>; call before the fleet starts.</summary>
    public void Watch(ResourceLoggerService logger, IEnumerable<string> resources)
    {
        foreach (var resource in resources)
        {
            var text = new StringBuilder();
            lock (_logs)
            {
                _logs[resource] = text;
            }

            _watchers.Add(Task.Run(() => CollectAsync(logger, resource, text)));
        }
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
        await Task.WhenAll(_watchers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task CollectAsync(ResourceLoggerService logger, string resource, StringBuilder text)
    {
        try
        {
            await foreach (var batch in logger.WatchAsync(resource).WithCancellation(_stop.Token))
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

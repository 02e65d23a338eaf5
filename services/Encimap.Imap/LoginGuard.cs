using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Encimap.Imap;

/// <summary>
/// Failed logins counted per client address and per username in a sliding window: each failure
/// is answered after a growing delay, and past the limits further attempts are refused without
/// asking the API. Also counts connections per user.
/// </summary>
public sealed class LoginGuard(IOptions<ImapOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _byAddress = new();
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _byUsername = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _connections = new(StringComparer.OrdinalIgnoreCase);

    public bool IsBlocked(string address, string username) =>
        Count(_byAddress, address) >= options.Value.MaxLoginFailuresPerAddress ||
        Count(_byUsername, username) >= options.Value.MaxLoginFailuresPerUsername;

    /// <summary>Records a failure; returns how long to wait before answering.</summary>
    public TimeSpan Failed(string address, string username)
    {
        var failures = Math.Max(Add(_byAddress, address), Add(_byUsername, username));
        return options.Value.LoginFailureDelay * Math.Min(8, 1 << Math.Min(3, failures - 1));
    }

    public void Succeeded(string username) => _byUsername.TryRemove(username, out _);

    /// <summary>Takes a connection slot of <paramref name="username"/>; false when the user has too many.</summary>
    public bool TryOpen(string username)
    {
        var count = _connections.AddOrUpdate(username, 1, (_, n) => n + 1);
        if (count > options.Value.MaxConnectionsPerUser)
        {
            Close(username);
            return false;
        }

        return true;
    }

    public void Close(string username) => _connections.AddOrUpdate(username, 0, (_, n) => Math.Max(0, n - 1));

    private int Count(ConcurrentDictionary<string, Queue<DateTimeOffset>> map, string key)
    {
        if (!map.TryGetValue(key, out var queue))
        {
            return 0;
        }

        lock (queue)
        {
            Trim(queue);
            return queue.Count;
        }
    }

    private int Add(ConcurrentDictionary<string, Queue<DateTimeOffset>> map, string key)
    {
        var queue = map.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            Trim(queue);
            queue.Enqueue(time.GetUtcNow());
            return queue.Count;
        }
    }

    private void Trim(Queue<DateTimeOffset> queue)
    {
        var cutoff = time.GetUtcNow() - options.Value.LoginFailureWindow;
        while (queue.Count > 0 && queue.Peek() < cutoff)
        {
            queue.Dequeue();
        }
    }
}

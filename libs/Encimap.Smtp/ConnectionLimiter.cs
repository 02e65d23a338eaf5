using System.Collections.Concurrent;
using System.Net;

namespace Encimap.Smtp;

/// <summary>
/// Per-listener connection limits: concurrent sessions in total and per client IP address, and
/// new connections per IP address per minute (a fixed one-minute window).
/// </summary>
public sealed class ConnectionLimiter
{
    private readonly SmtpServerOptions _options;
    private readonly ConcurrentDictionary<IPAddress, ClientCounters> _clients = new();
    private readonly TimeProvider _time;
    private int _total;

    public ConnectionLimiter(SmtpServerOptions options, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    public int ActiveConnections => Volatile.Read(ref _total);

    /// <summary>Admits a connection (true) or says why not (the reason is a metric tag).</summary>
    public bool TryAcquire(IPAddress address, out string? refusal)
    {
        var counters = _clients.GetOrAdd(address, _ => new ClientCounters());
        var minute = _time.GetUtcNow().ToUnixTimeSeconds() / 60;
        lock (counters)
        {
            if (counters.WindowMinute != minute)
            {
                counters.WindowMinute = minute;
                counters.ConnectionsThisMinute = 0;
            }

            counters.ConnectionsThisMinute++;
            if (_options.MaxConnectionRatePerIp > 0 && counters.ConnectionsThisMinute > _options.MaxConnectionRatePerIp)
            {
                refusal = "rate";
                return false;
            }

            if (_options.MaxConnectionsPerIp > 0 && counters.Active >= _options.MaxConnectionsPerIp)
            {
                refusal = "per_ip";
                return false;
            }

            if (Interlocked.Increment(ref _total) > _options.MaxConnections)
            {
                Interlocked.Decrement(ref _total);
                refusal = "total";
                return false;
            }

            counters.Active++;
        }

        refusal = null;
        return true;
    }

    public void Release(IPAddress address)
    {
        Interlocked.Decrement(ref _total);
        if (_clients.TryGetValue(address, out var counters))
        {
            lock (counters)
            {
                counters.Active--;
            }
        }

        // Forget idle clients now and then so that the table does not grow without bound.
        if (_clients.Count > 10_000)
        {
            var minute = _time.GetUtcNow().ToUnixTimeSeconds() / 60;
            foreach (var (key, value) in _clients)
            {
                lock (value)
                {
                    if (value.Active == 0 && value.WindowMinute != minute)
                    {
                        _clients.TryRemove(key, out _);
                    }
                }
            }
        }
    }

    private sealed class ClientCounters
    {
        public int Active;
        public long WindowMinute;
        public int ConnectionsThisMinute;
    }
}

using System.Collections.Concurrent;
using System.Net;
using Encimap.SmtpGateway.Infrastructure;
using Microsoft.Extensions.Options;

namespace Encimap.SmtpGateway.Submission;

/// <summary>Failed logins per client IP address within a window; past the limit the address is locked out until the window ends.</summary>
public sealed class LoginThrottle(IOptions<GatewayOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<IPAddress, Failures> _failures = new();

    public bool IsLockedOut(IPAddress address)
    {
        var limit = options.Value.Submission.MaxLoginFailures;
        return limit > 0 && _failures.TryGetValue(address, out var failures) && Current(failures) >= limit;
    }

    /// <summary>Counts a failure; true when the address is now locked out.</summary>
    public bool RecordFailure(IPAddress address)
    {
        var failures = _failures.GetOrAdd(address, _ => new Failures());
        int count;
        lock (failures)
        {
            Current(failures);
            count = ++failures.Count;
        }

        if (_failures.Count > 100_000)
        {
            foreach (var (key, value) in _failures)
            {
                if (Current(value) == 0)
                {
                    _failures.TryRemove(key, out _);
                }
            }
        }

        var limit = options.Value.Submission.MaxLoginFailures;
        return limit > 0 && count >= limit;
    }

    public void RecordSuccess(IPAddress address) => _failures.TryRemove(address, out _);

    private int Current(Failures failures)
    {
        lock (failures)
        {
            var now = time.GetUtcNow();
            if (now - failures.WindowStart > options.Value.Submission.LoginFailureWindow)
            {
                failures.WindowStart = now;
                failures.Count = 0;
            }

            return failures.Count;
        }
    }

    private sealed class Failures
    {
        public DateTimeOffset WindowStart = DateTimeOffset.MinValue;
        public int Count;
    }
}

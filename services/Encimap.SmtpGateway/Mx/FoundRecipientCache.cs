using System.Collections.Concurrent;
using Encimap.SmtpGateway.Infrastructure;
using Microsoft.Extensions.Options;

namespace Encimap.SmtpGateway.Mx;

/// <summary>
/// Addresses the intake recently found at RCPT TO (see <see cref="MxOptions.RecipientCacheTtl"/>):
/// a sender's next message to the same vaultbox skips the lookup round trip. Keys are
/// lower-case, as routes are matched case-insensitively.
/// </summary>
public sealed class FoundRecipientCache(IOptions<GatewayOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, long> _expiries = new(StringComparer.Ordinal);

    public bool Contains(string address)
    {
        if (!_expiries.TryGetValue(address.ToLowerInvariant(), out var expiry))
        {
            return false;
        }

        if (time.GetTimestamp() < expiry)
        {
            return true;
        }

        _expiries.TryRemove(new KeyValuePair<string, long>(address.ToLowerInvariant(), expiry));
        return false;
    }

    public void Add(string address)
    {
        var mx = options.Value.Mx;
        if (mx.RecipientCacheTtl <= TimeSpan.Zero)
        {
            return;
        }

        if (_expiries.Count >= mx.RecipientCacheSize)
        {
            _expiries.Clear();
        }

        _expiries[address.ToLowerInvariant()] = time.GetTimestamp() + (long)(mx.RecipientCacheTtl.TotalSeconds * time.TimestampFrequency);
    }
}

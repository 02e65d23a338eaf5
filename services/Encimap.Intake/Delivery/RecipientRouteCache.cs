using Encimap.Intake.Infrastructure;
using Microsoft.Extensions.Options;

namespace Encimap.Intake.Delivery;

/// <summary>
/// Addresses that resolved to a vaultbox, remembered for a short time
/// (<see cref="IntakeOptions.RouteCacheTtl"/>, 30 s by default) so that a delivery does not spend
/// a database round trip on resolving its recipients again and again.
/// <para>
/// Safe to be stale: a delivery with remembered routes is committed only if the database confirms,
/// in the commit's own transaction, that every address still routes to that vaultbox with the
/// settings the copy was encrypted for (<c>deliver_message</c>); otherwise the delivery is resolved
/// afresh and stored again. Only found addresses are kept, so an address that just got a vaultbox
/// is never refused from memory.
/// </para>
/// </summary>
public sealed class RecipientRouteCache(IOptions<IntakeOptions> options, TimeProvider time)
{
    /// <summary>Addresses remembered at most; past it, expired entries are dropped, then all.</summary>
    public const int MaxEntries = 100_000;

    private readonly TimeSpan _ttl = options.Value.RouteCacheTtl;
    private readonly ExpiringCache<string, VaultboxRoute> _entries = new(MaxEntries, time, StringComparer.Ordinal);

    public bool Enabled => _ttl > TimeSpan.Zero;

    /// <summary>The route remembered for a normalized address, or false when none is fresh.</summary>
    public bool TryGet(string address, out VaultboxRoute route)
    {
        if (Enabled && _entries.TryGet(address, out var found))
        {
            route = found;
            return true;
        }

        route = null!;
        return false;
    }

    /// <summary>Remembers that a normalized address resolved to <paramref name="route"/>.</summary>
    public void Set(string address, VaultboxRoute route)
    {
        if (Enabled)
        {
            _entries.Set(address, route, _entries.Now + _ttl);
        }
    }

    /// <summary>Forgets normalized addresses (their route turned out to have changed).</summary>
    public void Forget(IEnumerable<string> addresses)
    {
        foreach (var address in addresses)
        {
            _entries.Remove(address);
        }
    }
}

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Encimap.LoginThrottling;

/// <summary>
/// Failed logins penalized the way Dovecot's authentication penalty does it: per client address,
/// a wait that doubles with each failure from the address up to a cap, taken before the
/// credentials of every later attempt from that address are checked (so that a quick answer does
/// not tell a guesser that the password was right), and forgotten some time after the last
/// failure. Refusal is per address and per address and username, never per username alone:
/// whoever knows a username can get their own address refused, not lock the owner out.
/// </summary>
/// <remarks>
/// <para>Use, for every attempt:</para>
/// <code>
/// var admission = penalty.Admit(address, username);
/// await Task.Delay(admission.Delay, cancellationToken);
/// if (admission.Refused) return TooManyFailures;
/// if (await VerifyAsync(username, password)) { penalty.Succeeded(address, username); return Ok; }
/// await Task.Delay(penalty.Failed(address, username), cancellationToken);
/// return Failed;
/// </code>
/// <para>A success forgives the failures of that address as that username (a mistyped password),
/// not the address's other failures: logging in to an account of one's own does not clear the
/// guesses at someone else's. Attempts sent in parallel from one address are checked before their
/// failures count, as in Dovecot; the per-address limit bounds how many get through.</para>
/// <para>Memory is bounded: a refused attempt creates no entry, one address creates at most
/// <see cref="LoginPenaltyOptions.MaxFailuresPerAddress"/> pair entries before it is refused,
/// entries expire, and past <see cref="LoginPenaltyOptions.MaxEntries"/> the least recently
/// failed ones go. Usernames are kept only as hashes, so a long one costs no more than a short
/// one. Thread-safe.</para>
/// </remarks>
public sealed class LoginPenalty
{
    private readonly LoginPenaltyOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Penalty> _penalties = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private DateTimeOffset _nextSweep;

    /// <summary>Creates an empty penalty table.</summary>
    public LoginPenalty(LoginPenaltyOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.InitialDelay, TimeSpan.Zero, nameof(options.InitialDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDelay, options.InitialDelay, nameof(options.MaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFailuresPerAddressAndUsername, 1, nameof(options.MaxFailuresPerAddressAndUsername));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFailuresPerAddress, 1, nameof(options.MaxFailuresPerAddress));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Expiry, TimeSpan.Zero, nameof(options.Expiry));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEntries, 2, nameof(options.MaxEntries));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Ipv6PrefixLength, nameof(options.Ipv6PrefixLength));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Ipv6PrefixLength, 128, nameof(options.Ipv6PrefixLength));
        _options = options;
        _time = time;
    }

    /// <summary>How many penalties (addresses and address-and-username pairs) are held.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _penalties.Count;
            }
        }
    }

    /// <summary>Decides on an attempt before its credentials are checked.</summary>
    public LoginAdmission Admit(IPAddress client, string username)
    {
        var (address, pair) = Keys(client, username);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var byAddress = Find(address, now);
            var byPair = Find(pair, now);
            var refused = byAddress?.Failures >= _options.MaxFailuresPerAddress ||
                byPair?.Failures >= _options.MaxFailuresPerAddressAndUsername;
            var delay = Wait(byAddress?.Failures ?? 0);
            if (refused)
            {
                // Hammering keeps the penalty alive; it creates no entry, so it cannot fill memory.
                byAddress?.Fail(now);
                byPair?.Fail(now);
            }

            return new LoginAdmission(delay, refused);
        }
    }

    /// <summary>Counts a failed attempt; returns how long to wait before answering it.</summary>
    public TimeSpan Failed(IPAddress client, string username)
    {
        var (address, pair) = Keys(client, username);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            Obtain(address, now).Fail(now);
            Obtain(pair, now).Fail(now);
        }

        return _options.InitialDelay;
    }

    /// <summary>Forgives the failures of this address as this username.</summary>
    public void Succeeded(IPAddress client, string username)
    {
        var (address, pair) = Keys(client, username);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (Find(pair, now) is not { } forgiven)
            {
                return;
            }

            _penalties.Remove(pair);
            if (Find(address, now) is { } byAddress)
            {
                byAddress.Failures -= forgiven.Failures;
                if (byAddress.Failures <= 0)
                {
                    _penalties.Remove(address);
                }
            }
        }
    }

    // 0 without failures, then InitialDelay, doubled per further failure, at most MaxDelay.
    private TimeSpan Wait(int failures)
    {
        if (failures == 0)
        {
            return TimeSpan.Zero;
        }

        var ticks = _options.InitialDelay.Ticks * Math.Pow(2, Math.Min(failures - 1, 62));
        return ticks >= _options.MaxDelay.Ticks ? _options.MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    private Penalty? Find(string key, DateTimeOffset now)
    {
        if (!_penalties.TryGetValue(key, out var penalty))
        {
            return null;
        }

        if (Expired(penalty, now))
        {
            _penalties.Remove(key);
            return null;
        }

        return penalty;
    }

    private Penalty Obtain(string key, DateTimeOffset now)
    {
        if (Find(key, now) is { } penalty)
        {
            return penalty;
        }

        if (now >= _nextSweep || _penalties.Count >= _options.MaxEntries)
        {
            Sweep(now);
        }

        penalty = new Penalty { LastFailure = now };
        _penalties.Add(key, penalty);
        return penalty;
    }

    // Drops the expired entries; when the table is still full, the least recently failed tenth,
    // so that a full table is not swept again at every new entry.
    private void Sweep(DateTimeOffset now)
    {
        _nextSweep = now + _options.Expiry;
        foreach (var (key, penalty) in _penalties)
        {
            if (Expired(penalty, now))
            {
                _penalties.Remove(key);
            }
        }

        if (_penalties.Count < _options.MaxEntries)
        {
            return;
        }

        var excess = _penalties.Count - (_options.MaxEntries - Math.Max(1, _options.MaxEntries / 10));
        foreach (var key in _penalties.OrderBy(p => p.Value.LastFailure).Take(excess).Select(p => p.Key).ToList())
        {
            _penalties.Remove(key);
        }
    }

    private bool Expired(Penalty penalty, DateTimeOffset now) => now - penalty.LastFailure >= _options.Expiry;

    private (string Address, string Pair) Keys(IPAddress client, string username)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(username);
        var address = AddressKey(client);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(username.ToLowerInvariant()));
        return (address, $"{address} {Convert.ToBase64String(hash, 0, 16)}");
    }

    // One key per IPv4 address, per IPv6 prefix; an IPv4 client of a dual-stack socket is IPv4.
    private string AddressKey(IPAddress client)
    {
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        if (client.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return client.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        client.TryWriteBytes(bytes, out _);
        var prefix = _options.Ipv6PrefixLength;
        for (var bit = prefix; bit < 128; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return $"{new IPAddress(bytes)}/{prefix}";
    }

    private sealed class Penalty
    {
        public int Failures;
        public DateTimeOffset LastFailure;

        public void Fail(DateTimeOffset now)
        {
            if (Failures < int.MaxValue)
            {
                Failures++;
            }

            LastFailure = now;
        }
    }
}

using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Encimap.Passwords;

/// <summary>
/// Remembers successful password verifications for a short time, so that a mail client that logs
/// in again and again does not pay a bcrypt computation each time. Thread-safe.
/// </summary>
/// <remarks>
/// <para>The clear password is never stored: an entry holds HMAC-SHA256 of the password under a
/// random key made when the cache is created (it never leaves the process), the principal the
/// verification produced, and an expiry. Lookups compare MACs in constant time; a wrong password
/// is a miss and leaves the entry alone.</para>
/// <para>Use:</para>
/// <code>
/// if (!cache.TryGet(username, password, out var principal))
/// {
///     var stamp = cache.BeginVerification();
///     principal = await store.VerifyAsync(username, password);   // bcrypt
///     if (principal is not null) cache.Add(username, password, principal, stamp);
/// }
/// </code>
/// <para>Call <see cref="Invalidate"/> after a password is regenerated or a credential deleted
/// (after the change is committed). An invalidation reaches only this process: other instances
/// keep their entries until they expire, so <see cref="VerifiedCredentialCacheOptions.TimeToLive"/>
/// bounds how long an old password can still be accepted there.</para>
/// </remarks>
/// <typeparam name="TPrincipal">What a successful verification yields (for example the vaultbox id and username).</typeparam>
public sealed class VerifiedCredentialCache<TPrincipal>
    where TPrincipal : class
{
    private readonly byte[] _macKey = RandomNumberGenerator.GetBytes(32);
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries;
    // Insertion order; with one time-to-live for all entries it is also expiry order.
    private readonly LinkedList<Entry> _order = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private long _epoch;

    /// <summary>Creates an empty cache.</summary>
    public VerifiedCredentialCache(VerifiedCredentialCacheOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new VerifiedCredentialCacheOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TimeToLive, TimeSpan.Zero, nameof(options.TimeToLive));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEntries, 1, nameof(options.MaxEntries));
        ArgumentNullException.ThrowIfNull(options.UsernameComparer, nameof(options.UsernameComparer));
        TimeToLive = options.TimeToLive;
        MaxEntries = options.MaxEntries;
        _entries = new Dictionary<string, LinkedListNode<Entry>>(options.UsernameComparer);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How long an entry lives.</summary>
    public TimeSpan TimeToLive { get; }

    /// <summary>The most entries kept.</summary>
    public int MaxEntries { get; }

    /// <summary>How many entries are held (expired ones are removed as they are met).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="username"/> logged in with exactly <paramref name="password"/>
    /// within the time-to-live (and was not invalidated since); if so, the principal of that login.
    /// </summary>
    public bool TryGet(string? username, string? password, [MaybeNullWhen(false)] out TPrincipal principal)
    {
        principal = null;
        if (username is null || password is null)
        {
            return false;
        }
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(password, mac);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_entries.TryGetValue(username, out var node))
            {
                return false;
            }
            if (node.Value.ExpiresAt <= now)
            {
                Remove(node);
                return false;
            }
            if (!CryptographicOperations.FixedTimeEquals(node.Value.Mac, mac))
            {
                return false;
            }
            principal = node.Value.Principal;
            return true;
        }
    }

    /// <summary>Marks the start of a verification against the credential store (see <see cref="Add"/>).</summary>
    public VerificationStamp BeginVerification() => new(Volatile.Read(ref _epoch));

    /// <summary>
    /// Remembers that <paramref name="username"/> verified with <paramref name="password"/>,
    /// replacing what was remembered for that username. Nothing is stored when an invalidation
    /// happened since <paramref name="stamp"/> was taken (the verification may have read a
    /// credential that is gone now) or when the cache is off.
    /// </summary>
    /// <returns>Whether the entry was stored.</returns>
    public bool Add(string username, string password, TPrincipal principal, VerificationStamp stamp)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(principal);
        if (TimeToLive == TimeSpan.Zero)
        {
            return false;
        }
        var mac = new byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(password, mac);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (stamp.Epoch != _epoch)
            {
                return false;
            }
            if (_entries.TryGetValue(username, out var existing))
            {
                Remove(existing);
            }
            // Expired entries first, then the oldest, until there is room.
            while (_order.First is { } oldest && (oldest.Value.ExpiresAt <= now || _entries.Count >= MaxEntries))
            {
                Remove(oldest);
            }
            var node = _order.AddLast(new Entry(username, mac, principal, now + TimeToLive));
            _entries[username] = node;
            return true;
        }
    }

    /// <summary>Forgets <paramref name="username"/> (after its password was regenerated or its credential deleted).</summary>
    /// <returns>Whether an entry was removed.</returns>
    public bool Invalidate(string username)
    {
        ArgumentNullException.ThrowIfNull(username);
        lock (_gate)
        {
            _epoch++;
            if (!_entries.TryGetValue(username, out var node))
            {
                return false;
            }
            Remove(node);
            return true;
        }
    }

    /// <summary>Forgets everything.</summary>
    public void InvalidateAll()
    {
        lock (_gate)
        {
            _epoch++;
            _entries.Clear();
            _order.Clear();
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _entries.Remove(node.Value.Username);
        _order.Remove(node);
    }

    private void ComputeMac(string password, Span<byte> destination)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(password.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(password, buffer);
            HMACSHA256.HashData(_macKey, buffer.AsSpan(0, length), destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed record Entry(string Username, byte[] Mac, TPrincipal Principal, DateTimeOffset ExpiresAt);
}

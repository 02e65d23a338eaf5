using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Encimap.Intake.Delivery;

/// <summary>
/// A bounded map whose entries end at a time given with each: what the intake's caches of
/// recipient routes and certificates share. Past <c>maxEntries</c>, expired entries are dropped,
/// then all (a burst of new keys must not grow memory without bound).
/// </summary>
public sealed class ExpiringCache<TKey, TValue>(int maxEntries, TimeProvider time, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new(comparer);

    public int Count => _entries.Count;

    /// <summary>The cache's clock, for callers that compute an entry's end.</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The value of a key whose entry has not ended yet.</summary>
    public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            if (time.GetUtcNow() < entry.Expires)
            {
                value = entry.Value;
                return true;
            }

            _entries.TryRemove(new KeyValuePair<TKey, Entry>(key, entry));
        }

        value = default;
        return false;
    }

    public void Set(TKey key, TValue value, DateTimeOffset expires)
    {
        if (_entries.Count >= maxEntries)
        {
            Trim(time.GetUtcNow());
        }

        _entries[key] = new Entry(value, expires);
    }

    public void Remove(TKey key) => _entries.TryRemove(key, out _);

    private void Trim(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.Expires <= now)
            {
                _entries.TryRemove(new KeyValuePair<TKey, Entry>(key, entry));
            }
        }

        if (_entries.Count >= maxEntries)
        {
            _entries.Clear();
        }
    }

    private sealed record Entry(TValue Value, DateTimeOffset Expires);
}

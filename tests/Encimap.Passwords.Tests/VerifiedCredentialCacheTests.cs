namespace Encimap.Passwords.Tests;

public sealed class VerifiedCredentialCacheTests
{
    private sealed record Principal(string Name);

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private readonly ManualTime _time = new();

    private VerifiedCredentialCache<Principal> NewCache(int maxEntries = 100, TimeSpan? ttl = null, StringComparer? comparer = null) =>
        new(new VerifiedCredentialCacheOptions
        {
            MaxEntries = maxEntries,
            TimeToLive = ttl ?? TimeSpan.FromSeconds(60),
            UsernameComparer = comparer ?? StringComparer.Ordinal,
        }, _time);

    private static void AddVerified(VerifiedCredentialCache<Principal> cache, string username, string password, Principal principal) =>
        Assert.True(cache.Add(username, password, principal, cache.BeginVerification()));

    [Fact]
    public void Hit_after_add_returns_the_principal()
    {
        var cache = NewCache();
        var principal = new Principal("vaultbox-1");
        AddVerified(cache, "alice", "s3cret", principal);

        Assert.True(cache.TryGet("alice", "s3cret", out var found));
        Assert.Same(principal, found);
    }

    [Fact]
    public void Unknown_user_misses()
    {
        var cache = NewCache();
        AddVerified(cache, "alice", "s3cret", new Principal("a"));

        Assert.False(cache.TryGet("bob", "s3cret", out var found));
        Assert.Null(found);
    }

    [Fact]
    public void Wrong_password_misses_and_keeps_the_entry()
    {
        var cache = NewCache();
        AddVerified(cache, "alice", "s3cret", new Principal("a"));

        Assert.False(cache.TryGet("alice", "s3cret ", out _));
        Assert.False(cache.TryGet("alice", "S3cret", out _));
        Assert.False(cache.TryGet("alice", "", out _));
        Assert.False(cache.TryGet("alice", null, out _));
        Assert.True(cache.TryGet("alice", "s3cret", out _));
    }

    [Fact]
    public void Entries_expire_after_the_time_to_live()
    {
        var cache = NewCache(ttl: TimeSpan.FromSeconds(60));
        AddVerified(cache, "alice", "s3cret", new Principal("a"));

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.True(cache.TryGet("alice", "s3cret", out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cache.TryGet("alice", "s3cret", out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Default_time_to_live_is_60_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), new VerifiedCredentialCache<Principal>().TimeToLive);
    }

    [Fact]
    public void Invalidate_forgets_one_user()
    {
        var cache = NewCache();
        AddVerified(cache, "alice", "s3cret", new Principal("a"));
        AddVerified(cache, "bob", "hunter2", new Principal("b"));

        Assert.True(cache.Invalidate("alice"));
        Assert.False(cache.Invalidate("alice"));

        Assert.False(cache.TryGet("alice", "s3cret", out _));
        Assert.True(cache.TryGet("bob", "hunter2", out _));
    }

    [Fact]
    public void InvalidateAll_forgets_everyone()
    {
        var cache = NewCache();
        AddVerified(cache, "alice", "s3cret", new Principal("a"));
        AddVerified(cache, "bob", "hunter2", new Principal("b"));

        cache.InvalidateAll();

        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryGet("alice", "s3cret", out _));
        Assert.False(cache.TryGet("bob", "hunter2", out _));
    }

    [Fact]
    public void Verification_overtaken_by_an_invalidation_is_not_cached()
    {
        var cache = NewCache();
        var stamp = cache.BeginVerification();      // login starts checking the old password…
        cache.Invalidate("alice");                  // …while the password is regenerated

        Assert.False(cache.Add("alice", "old-password", new Principal("a"), stamp));
        Assert.False(cache.TryGet("alice", "old-password", out _));

        Assert.True(cache.Add("alice", "new-password", new Principal("a"), cache.BeginVerification()));
    }

    [Fact]
    public void New_password_replaces_the_old_entry()
    {
        var cache = NewCache();
        AddVerified(cache, "alice", "old", new Principal("a1"));
        AddVerified(cache, "alice", "new", new Principal("a2"));

        Assert.False(cache.TryGet("alice", "old", out _));
        Assert.True(cache.TryGet("alice", "new", out var principal));
        Assert.Equal("a2", principal.Name);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Size_is_bounded_and_the_oldest_goes_first()
    {
        var cache = NewCache(maxEntries: 3);
        for (var i = 0; i < 5; i++)
        {
            AddVerified(cache, $"user{i}", $"pw{i}", new Principal($"p{i}"));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(3, cache.Count);
        Assert.False(cache.TryGet("user0", "pw0", out _));
        Assert.False(cache.TryGet("user1", "pw1", out _));
        Assert.True(cache.TryGet("user2", "pw2", out _));
        Assert.True(cache.TryGet("user4", "pw4", out _));
    }

    [Fact]
    public void Usernames_compare_as_configured()
    {
        var exact = NewCache();
        AddVerified(exact, "alice", "s3cret", new Principal("a"));
        Assert.False(exact.TryGet("ALICE", "s3cret", out _));

        var ignoreCase = NewCache(comparer: StringComparer.OrdinalIgnoreCase);
        AddVerified(ignoreCase, "alice", "s3cret", new Principal("a"));
        Assert.True(ignoreCase.TryGet("ALICE", "s3cret", out _));
        // Invalidation reaches every spelling the store accepts.
        ignoreCase.Invalidate("Alice");
        Assert.False(ignoreCase.TryGet("alice", "s3cret", out _));
    }

    [Fact]
    public void Zero_time_to_live_turns_the_cache_off()
    {
        var cache = NewCache(ttl: TimeSpan.Zero);

        Assert.False(cache.Add("alice", "s3cret", new Principal("a"), cache.BeginVerification()));
        Assert.False(cache.TryGet("alice", "s3cret", out _));
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VerifiedCredentialCache<Principal>(new VerifiedCredentialCacheOptions { MaxEntries = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VerifiedCredentialCache<Principal>(new VerifiedCredentialCacheOptions { TimeToLive = TimeSpan.FromSeconds(-1) }));
    }

    [Fact]
    public void The_clear_password_is_not_held()
    {
        var cache = NewCache();
        const string password = "a-very-recognizable-password-1234";
        AddVerified(cache, "alice", password, new Principal("a"));

        // Walk the cache's object graph (fields, collections, records) looking for the password.
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Assert.False(Holds(cache, password, seen, depth: 0));
    }

    private static bool Holds(object? value, string secret, HashSet<object> seen, int depth)
    {
        if (value is null || depth > 8 || value is Type || !seen.Add(value))
        {
            return false;
        }
        if (value is string s)
        {
            return s.Contains(secret, StringComparison.Ordinal);
        }
        if (value is byte[] bytes)
        {
            return bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(secret)) >= 0;
        }
        if (value is System.Collections.IEnumerable items)
        {
            foreach (var item in items)
            {
                if (Holds(item, secret, seen, depth + 1))
                {
                    return true;
                }
            }
        }
        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is TimeProvider)
        {
            return false;
        }
        foreach (var field in type.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic))
        {
            if (Holds(field.GetValue(value), secret, seen, depth + 1))
            {
                return true;
            }
        }
        return false;
    }

    [Fact]
    public async Task Concurrent_use_is_safe()
    {
        var cache = NewCache(maxEntries: 50);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                var user = $"u{(t * 31 + i) % 80}";
                cache.Add(user, "pw" + user, new Principal(user), cache.BeginVerification());
                if (cache.TryGet(user, "pw" + user, out var p))
                {
                    Assert.Equal(user, p.Name);
                }
                if (i % 97 == 0)
                {
                    cache.Invalidate(user);
                }
            }
        })));

        Assert.InRange(cache.Count, 0, 50);
    }
}

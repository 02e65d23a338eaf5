using System.Net;

namespace Encimap.LoginThrottling.Tests;

public sealed class LoginPenaltyTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("192.0.2.66");
    private static readonly IPAddress Owner = IPAddress.Parse("198.51.100.7");

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private readonly ManualTime _time = new();

    private LoginPenalty NewPenalty(int perPair = 10, int perAddress = 50, int maxEntries = 100_000, int ipv6Prefix = 64) =>
        new(new LoginPenaltyOptions
        {
            InitialDelay = TimeSpan.FromSeconds(2),
            MaxDelay = TimeSpan.FromSeconds(15),
            MaxFailuresPerAddressAndUsername = perPair,
            MaxFailuresPerAddress = perAddress,
            Expiry = TimeSpan.FromMinutes(15),
            MaxEntries = maxEntries,
            Ipv6PrefixLength = ipv6Prefix,
        }, _time);

    [Fact]
    public void The_wait_doubles_per_failure_from_the_address_up_to_the_cap()
    {
        var penalty = NewPenalty(perPair: 100, perAddress: 100);
        var waits = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            waits.Add(penalty.Admit(Attacker, "victim").Delay.TotalSeconds);
            Assert.Equal(TimeSpan.FromSeconds(2), penalty.Failed(Attacker, "victim"));
        }

        // As Dovecot: 2, 4, 8, then the 15 s cap.
        Assert.Equal([0, 2, 4, 8, 15, 15], waits);
    }

    [Fact]
    public void Hammering_a_username_refuses_the_attackers_address_and_never_the_owners()
    {
        var penalty = NewPenalty(perPair: 10);
        for (var i = 0; i < 10; i++)
        {
            Assert.False(penalty.Admit(Attacker, "victim").Refused);
            penalty.Failed(Attacker, "victim");
        }

        var attacker = penalty.Admit(Attacker, "victim");
        Assert.True(attacker.Refused);
        Assert.Equal(TimeSpan.FromSeconds(15), attacker.Delay);

        // The same username from another address: no wait, not refused.
        Assert.Equal(new LoginAdmission(TimeSpan.Zero, false), penalty.Admit(Owner, "victim"));
        Assert.Equal(new LoginAdmission(TimeSpan.Zero, false), penalty.Admit(Owner, "VICTIM"));

        // The owner's own mistake is only the owner's address's penalty.
        penalty.Failed(Owner, "victim");
        Assert.Equal(new LoginAdmission(TimeSpan.FromSeconds(2), false), penalty.Admit(Owner, "victim"));
        penalty.Succeeded(Owner, "victim");
        Assert.Equal(new LoginAdmission(TimeSpan.Zero, false), penalty.Admit(Owner, "victim"));
        Assert.True(penalty.Admit(Attacker, "victim").Refused);
    }

    [Fact]
    public void Usernames_are_compared_without_case()
    {
        var penalty = NewPenalty(perPair: 2);
        penalty.Failed(Attacker, "Victim");
        penalty.Failed(Attacker, "vICTIM");
        Assert.True(penalty.Admit(Attacker, "victim").Refused);
    }

    [Fact]
    public void Rotating_usernames_gets_the_address_refused_for_every_username()
    {
        var penalty = NewPenalty(perPair: 10, perAddress: 5);
        for (var i = 0; i < 5; i++)
        {
            Assert.False(penalty.Admit(Attacker, $"user{i}").Refused);
            penalty.Failed(Attacker, $"user{i}");
        }

        Assert.True(penalty.Admit(Attacker, "someone-else").Refused);
        Assert.False(penalty.Admit(Owner, "someone-else").Refused);

        // Refused attempts create no entries: an address cannot grow the table past its limit.
        var held = penalty.Count;
        for (var i = 0; i < 1000; i++)
        {
            penalty.Admit(Attacker, $"more{i}");
        }

        Assert.Equal(held, penalty.Count);
    }

    [Fact]
    public void A_success_forgives_that_username_only()
    {
        var penalty = NewPenalty(perPair: 10, perAddress: 5);
        for (var i = 0; i < 3; i++)
        {
            penalty.Failed(Attacker, "victim");
        }

        penalty.Failed(Attacker, "own-account");
        penalty.Succeeded(Attacker, "own-account");

        // Logging in to one's own account does not clear the guesses at the victim's.
        Assert.Equal(TimeSpan.FromSeconds(8), penalty.Admit(Attacker, "victim").Delay);
        penalty.Failed(Attacker, "victim");
        penalty.Failed(Attacker, "other");
        Assert.True(penalty.Admit(Attacker, "anyone").Refused);
    }

    [Fact]
    public void Penalties_expire_after_the_last_failure_while_hammering_keeps_them()
    {
        var penalty = NewPenalty(perPair: 2);
        penalty.Failed(Attacker, "victim");
        penalty.Failed(Attacker, "victim");
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(10));
            Assert.True(penalty.Admit(Attacker, "victim").Refused);
        }

        _time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(new LoginAdmission(TimeSpan.Zero, false), penalty.Admit(Attacker, "victim"));
        Assert.Equal(0, penalty.Count);
    }

    [Fact]
    public void The_table_never_holds_more_than_its_cap()
    {
        var penalty = NewPenalty(perPair: 10, perAddress: 10, maxEntries: 1000);
        for (var i = 0; i < 20_000; i++)
        {
            var address = new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]);
            penalty.Failed(address, $"user{i}");
            Assert.True(penalty.Count <= 1000);
        }

        // The most recent failures are the ones kept.
        Assert.True(penalty.Admit(new IPAddress([10, 0, 78, 31]), "x").Delay > TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, penalty.Admit(new IPAddress([10, 0, 0, 1]), "x").Delay);
    }

    [Fact]
    public void Expired_entries_are_swept_without_reaching_the_cap()
    {
        var penalty = NewPenalty();
        for (var i = 0; i < 100; i++)
        {
            penalty.Failed(new IPAddress([10, 0, 0, (byte)i]), "user");
        }

        Assert.Equal(200, penalty.Count);
        _time.Advance(TimeSpan.FromMinutes(16));
        penalty.Failed(Owner, "user");
        Assert.Equal(2, penalty.Count);
    }

    [Fact]
    public void An_ipv6_host_is_one_address_per_prefix_and_mapped_ipv4_is_ipv4()
    {
        var penalty = NewPenalty(perAddress: 2);
        penalty.Failed(IPAddress.Parse("2001:db8:1:2::1"), "a");
        penalty.Failed(IPAddress.Parse("2001:db8:1:2:ffff::9"), "b");
        Assert.True(penalty.Admit(IPAddress.Parse("2001:db8:1:2:abcd::5"), "c").Refused);
        Assert.False(penalty.Admit(IPAddress.Parse("2001:db8:1:3::1"), "c").Refused);

        penalty.Failed(IPAddress.Parse("192.0.2.1"), "a");
        penalty.Failed(IPAddress.Parse("::ffff:192.0.2.1"), "b");
        Assert.True(penalty.Admit(IPAddress.Parse("192.0.2.1"), "c").Refused);
    }

    [Fact]
    public void Concurrent_failures_are_all_counted()
    {
        var penalty = NewPenalty(perPair: 1_000_000, perAddress: 1_000_000);
        Parallel.For(0, 8000, i => penalty.Failed(Attacker, $"user{i % 100}"));
        for (var i = 0; i < 100; i++)
        {
            penalty.Succeeded(Attacker, $"user{i}");
        }

        // Every failure was forgiven by its username's success: nothing was lost to a race.
        Assert.Equal(0, penalty.Count);
    }
}

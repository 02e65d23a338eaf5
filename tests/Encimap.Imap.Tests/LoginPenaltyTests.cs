using System.Text.Json;

namespace Encimap.Imap.Tests;

/// <summary>
/// Login throttling with Python's imaplib from several loopback addresses (the service listens on
/// 127.0.0.1; each client binds its socket to an address of 127/8 of its own): a guesser hammering
/// a username gets its own address delayed and refused, and the owner, from another address, still
/// logs in promptly. Limits of the fixture: 100 ms doubling up to 2 s, 5 failures per address and
/// username, 10 per address.
/// </summary>
[Collection(ImapFleetCollection.Name)]
public sealed class LoginPenaltyTests(ImapFixture fleet)
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(1.5);

    private sealed record Attempt(string Source, string User, string Password);

    private sealed record Outcome(string Answer, TimeSpan Took);

    private async Task<Outcome[]> LoginAsync(bool parallel, params Attempt[] attempts)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "scripts", "login_attempts.py");
        var json = JsonSerializer.Serialize(attempts.Select(a => new { source = a.Source, user = a.User, password = a.Password }));
        var run = await Tools.RunAsync("python3", [script, "127.0.0.1", fleet.ImapsPort.ToString(), fleet.ServerCertificatePem, parallel ? "parallel" : "sequential", json],
            timeout: TimeSpan.FromMinutes(2));
        return JsonDocument.Parse(run.Output).RootElement.EnumerateArray()
            .Select(r => new Outcome(r.GetProperty("answer").GetString()!, TimeSpan.FromSeconds(r.GetProperty("seconds").GetDouble())))
            .ToArray();
    }

    private static void AssertFailed(Outcome outcome) => Assert.StartsWith("NO [AUTHENTICATIONFAILED]", outcome.Answer);

    private static void AssertRefused(Outcome outcome) => Assert.StartsWith("NO [UNAVAILABLE] Too many failed logins", outcome.Answer);

    private static void AssertPromptLogin(Outcome outcome)
    {
        Assert.StartsWith("OK", outcome.Answer);
        Assert.True(outcome.Took < Prompt, $"the login took {outcome.Took}");
    }

    [Fact]
    public async Task A_guesser_hammering_a_username_gets_its_own_address_refused_and_never_locks_the_owner_out()
    {
        const string attacker = "127.0.0.2", owner = "127.0.0.3";
        var victim = await fleet.CreateAccountAsync("victim");
        var guess = new Attempt(attacker, victim.Username, "guess");

        // Five wrong passwords, each checked later than the last (0, 0.1, 0.2, 0.4, 0.8 s, then
        // the answer's 0.1 s); the sixth attempt from that address as that username is refused.
        var hammered = await LoginAsync(false, guess, guess, guess, guess, guess, guess);
        Assert.All(hammered[..5], AssertFailed);
        Assert.True(hammered[4].Took >= TimeSpan.FromSeconds(0.85), $"the fifth guess took {hammered[4].Took}");
        AssertRefused(hammered[5]);

        // While the guesser goes on, even with the right password, the owner logs in from another address.
        var hammering = LoginAsync(false, guess, new Attempt(attacker, victim.Username, victim.Password), guess);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var ownerLogin = await LoginAsync(false, new Attempt(owner, victim.Username, victim.Password));
        Assert.False(hammering.IsCompleted, "the guesser was no longer hammering");
        AssertPromptLogin(ownerLogin.Single());
        var refused = await hammering;
        Assert.All(refused, AssertRefused);
        Assert.All(refused, r => Assert.True(r.Took >= TimeSpan.FromSeconds(1.9), $"a refusal came after {r.Took}"));

        // A mistake of the owner's costs the owner's address its own small penalty only; the
        // owner's success does not clear the guesser's.
        var after = await LoginAsync(false,
            new Attempt(owner, victim.Username, "mistyped"),
            new Attempt(owner, victim.Username, victim.Password),
            new Attempt(attacker, victim.Username, victim.Password));
        AssertFailed(after[0]);
        Assert.True(after[0].Took < Prompt, $"the mistake took {after[0].Took}");
        AssertPromptLogin(after[1]);
        AssertRefused(after[2]);
    }

    [Fact]
    public async Task An_address_guessing_many_usernames_is_refused_for_all_of_them_and_only_that_address()
    {
        const string attacker = "127.0.0.4", owner = "127.0.0.5";
        var account = await fleet.CreateAccountAsync("rotated");

        // Ten usernames at once: all are checked (parallel attempts all pass before their
        // failures count), and the address has reached its limit.
        var guesses = Enumerable.Range(0, 10).Select(i => new Attempt(attacker, $"encimap-guess-{i}", "guess")).ToArray();
        Assert.All(await LoginAsync(true, guesses), AssertFailed);

        var outcomes = await LoginAsync(false,
            new Attempt(attacker, account.Username, account.Password),
            new Attempt(owner, account.Username, account.Password));
        AssertRefused(outcomes[0]);
        AssertPromptLogin(outcomes[1]);
    }
}

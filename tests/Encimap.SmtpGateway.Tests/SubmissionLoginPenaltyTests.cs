using System.Globalization;
using System.Text.Json;

namespace Encimap.SmtpGateway.Tests;

/// <summary>
/// AUTH throttling on the submission port with Python's smtplib (PLAIN and LOGIN) from several
/// loopback addresses (the gateway listens on 127.0.0.1; each client binds its socket to an
/// address of 127/8 of its own): a guesser hammering a username gets its own address delayed and
/// refused, and the owner, from another address, still logs in promptly. Limits of the fixture:
/// 100 ms doubling up to 2 s, 5 failures per address and username, 10 per address.
/// </summary>
[Collection(SmtpFleetCollection.Name)]
public sealed class SubmissionLoginPenaltyTests(SmtpFixture fleet)
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(1.5);

    private sealed record Attempt(string Source, string User, string Password, string Mechanism);

    private sealed record Outcome(int Code, string Text, TimeSpan Took)
    {
        public override string ToString() => $"{Code} {Text} after {Took}";
    }

    private async Task<Outcome[]> AuthAsync(bool parallel, params Attempt[] attempts)
    {
        var json = JsonSerializer.Serialize(attempts.Select(a => new { source = a.Source, user = a.User, password = a.Password, mechanism = a.Mechanism }));
        var run = await Tool.PythonAsync(Scripts.AuthAttempts,
            fleet.SubmissionPort.ToString(CultureInfo.InvariantCulture), fleet.ServerCertificatePem, parallel ? "parallel" : "sequential", json);
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Output).RootElement.EnumerateArray()
            .Select(r => new Outcome(r.GetProperty("code").GetInt32(), r.GetProperty("text").GetString()!, TimeSpan.FromSeconds(r.GetProperty("seconds").GetDouble())))
            .ToArray();
    }

    private static void AssertFailed(Outcome outcome) => Assert.True(outcome.Code == 535, outcome.ToString());

    private static void AssertRefused(Outcome outcome) =>
        Assert.True(outcome.Code == 421 && outcome.Text.Contains("too many failed logins", StringComparison.Ordinal), outcome.ToString());

    private static void AssertPromptLogin(Outcome outcome) => Assert.True(outcome.Code == 235 && outcome.Took < Prompt, outcome.ToString());

    [Fact]
    public async Task A_guesser_hammering_a_username_gets_its_own_address_refused_and_never_locks_the_owner_out()
    {
        const string attacker = "127.0.0.2", owner = "127.0.0.3";
        var box = await fleet.CreateVaultboxAsync("victim");
        var (user, password) = await box.CreateSmtpCredentialsAsync();
        Attempt Guess(string mechanism) => new(attacker, user, "guess", mechanism);

        // Five wrong passwords, each checked later than the last (0, 0.1, 0.2, 0.4, 0.8 s, then
        // the answer's 0.1 s); the sixth attempt from that address as that username is refused.
        var hammered = await AuthAsync(false, Guess("PLAIN"), Guess("LOGIN"), Guess("PLAIN"), Guess("LOGIN"), Guess("PLAIN"), Guess("LOGIN"));
        Assert.All(hammered[..5], AssertFailed);
        Assert.True(hammered[4].Took >= TimeSpan.FromSeconds(0.85), hammered[4].ToString());
        AssertRefused(hammered[5]);

        // While the guesser goes on, even with the right password, the owner logs in from another
        // address, with either mechanism.
        var hammering = AuthAsync(false, Guess("PLAIN"), new Attempt(attacker, user, password, "LOGIN"), Guess("PLAIN"));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var ownerLogins = await AuthAsync(false, new Attempt(owner, user, password, "PLAIN"), new Attempt(owner, user, password, "LOGIN"));
        Assert.False(hammering.IsCompleted, "the guesser was no longer hammering");
        Assert.All(ownerLogins, AssertPromptLogin);
        var refused = await hammering;
        Assert.All(refused, AssertRefused);
        Assert.All(refused, r => Assert.True(r.Took >= TimeSpan.FromSeconds(1.9), r.ToString()));

        // A mistake of the owner's costs the owner's address its own small penalty only; the
        // owner's success does not clear the guesser's.
        var after = await AuthAsync(false,
            new Attempt(owner, user, "mistyped", "LOGIN"),
            new Attempt(owner, user, password, "PLAIN"),
            new Attempt(attacker, user, password, "PLAIN"));
        AssertFailed(after[0]);
        Assert.True(after[0].Took < Prompt, after[0].ToString());
        AssertPromptLogin(after[1]);
        AssertRefused(after[2]);
    }

    [Fact]
    public async Task An_address_guessing_many_usernames_is_refused_for_all_of_them_and_only_that_address()
    {
        const string attacker = "127.0.0.4", owner = "127.0.0.5";
        var box = await fleet.CreateVaultboxAsync("rotated");
        var (user, password) = await box.CreateSmtpCredentialsAsync();

        // Ten usernames at once: all are checked (parallel attempts all pass before their
        // failures count), and the address has reached its limit.
        var guesses = Enumerable.Range(0, 10).Select(i => new Attempt(attacker, $"encimap-guess-{i}", "guess", i % 2 == 0 ? "PLAIN" : "LOGIN")).ToArray();
        Assert.All(await AuthAsync(true, guesses), AssertFailed);

        var outcomes = await AuthAsync(false, new Attempt(attacker, user, password, "PLAIN"), new Attempt(owner, user, password, "LOGIN"));
        AssertRefused(outcomes[0]);
        AssertPromptLogin(outcomes[1]);
    }
}

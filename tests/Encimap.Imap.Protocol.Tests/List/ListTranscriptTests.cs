namespace Encimap.Imap.Protocol.Tests;

/// <summary>LIST-EXTENDED (RFC 5258) and LSUB: selection options, subscriptions without a mailbox, hierarchy levels.</summary>
public sealed class ListTranscriptTests
{
    private static async Task<Transcript> LoggedIn()
    {
        var t = new Transcript(new MemoryStore());
        await t.Exchange("a LOGIN fred secret");
        return t;
    }

    [Fact]
    public async Task Recursivematch_needs_another_selection_option()
    {
        await using var t = await LoggedIn();
        Assert.Equal(["b BAD RECURSIVEMATCH needs another selection option"], await t.Exchange("b LIST (RECURSIVEMATCH) \"\" \"\""));
        Assert.Equal(["c BAD RECURSIVEMATCH needs another selection option"], await t.Exchange("c LIST (REMOTE RECURSIVEMATCH) \"\" *"));
        Assert.Equal(["* LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent", "d OK LIST completed"], await t.Exchange("d LIST (SUBSCRIBED RECURSIVEMATCH) \"\" Sent"));
    }

    [Fact]
    public async Task A_subscription_outlives_its_mailbox()
    {
        await using var t = await LoggedIn();
        await t.Exchange("b CREATE gone");
        Assert.Equal(["c OK SUBSCRIBE completed"], await t.Exchange("c SUBSCRIBE gone"));
        Assert.Equal(["d OK DELETE completed"], await t.Exchange("d DELETE gone"));
        Assert.Equal(["e OK LIST completed"], await t.Exchange("e LIST \"\" gone"));
        Assert.Equal(["* LIST (\\NonExistent \\HasNoChildren \\Subscribed) \"/\" gone", "f OK LIST completed"], await t.Exchange("f LIST (SUBSCRIBED) \"\" g*"));
        Assert.Equal(["* LSUB (\\Noselect) \"/\" gone", "g OK LSUB completed"], await t.Exchange("g LSUB \"\" g*"));
        Assert.Equal([
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX",
            "* LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent",
            "* LIST (\\HasNoChildren \\Subscribed \\Trash) \"/\" Trash",
            "* LIST (\\NonExistent \\HasNoChildren \\Subscribed) \"/\" gone",
            "h OK LIST completed"], await t.Exchange("h LIST (SUBSCRIBED) \"\" *"));
        Assert.Equal(["i OK UNSUBSCRIBE completed"], await t.Exchange("i UNSUBSCRIBE gone"));
        Assert.Equal(["j OK LSUB completed"], await t.Exchange("j LSUB \"\" g*"));
        Assert.Equal(["k NO [NONEXISTENT] No such mailbox"], await t.Exchange("k SUBSCRIBE gone"));
    }

    [Fact]
    public async Task Levels_that_are_only_parents_are_listed_as_such()
    {
        await using var t = await LoggedIn();
        await t.Exchange("b CREATE a/b");
        Assert.Equal(["* LIST (\\Noselect \\HasChildren) \"/\" a", "c OK LIST completed"], await t.Exchange("c LIST \"\" a%"));
        Assert.Equal(["* LIST (\\NonExistent \\HasChildren) \"/\" a", "d OK LIST completed"], await t.Exchange("d LIST () \"\" a%"));
        // RFC 3501 §6.3.9: "a/b" subscribed, "a" not: "%" answers a, \Noselect.
        Assert.Equal(["* LSUB (\\Noselect) \"/\" a", "e OK LSUB completed"], await t.Exchange("e LSUB \"\" a%"));
        Assert.Equal(["* LSUB () \"/\" a/b", "f OK LSUB completed"], await t.Exchange("f LSUB \"\" a*"));
        Assert.Equal(["g OK LIST completed"], await t.Exchange("g LIST (SUBSCRIBED) \"\" a%"));
        Assert.Equal(["* LIST (\\NonExistent \\HasChildren) \"/\" a (\"CHILDINFO\" (\"SUBSCRIBED\"))", "h OK LIST completed"],
            await t.Exchange("h LIST (SUBSCRIBED RECURSIVEMATCH) \"\" a%"));
    }
}

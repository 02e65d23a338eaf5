namespace Encimap.Imap.Protocol.Tests;

/// <summary>The first CONDSTORE-enabling command with a mailbox selected answers its HIGHESTMODSEQ (RFC 7162 §3.1).</summary>
public sealed class CondStoreTranscriptTests
{
    private static MemoryStore ThreeMessages()
    {
        var store = new MemoryStore();
        for (var i = 1; i <= 3; i++)
        {
            store.Deliver("INBOX", $"Subject: {i}\r\n\r\n{i}\r\n");
        }

        store.ClaimRecent();
        return store;
    }

    private static async Task<Transcript> Selected(MemoryStore store)
    {
        var t = new Transcript(store);
        await t.Exchange("x1 LOGIN fred secret");
        Assert.Contains("* OK [HIGHESTMODSEQ 4] Highest", await t.Exchange("x2 SELECT INBOX"));
        return t;
    }

    public static TheoryData<string, string[]> EnablingCommands => new()
    {
        { "a FETCH 1 (FLAGS MODSEQ)", ["* 1 FETCH (FLAGS () MODSEQ (2))"] },
        { "a FETCH 1:* (FLAGS) (CHANGEDSINCE 3)", ["* 3 FETCH (FLAGS () MODSEQ (4))"] },
        { "a SEARCH MODSEQ 3", ["* SEARCH 2 3 (MODSEQ 4)"] },
        { "a STORE 1 (UNCHANGEDSINCE 9) +FLAGS.SILENT (\\Seen)", ["* 1 FETCH (UID 1 MODSEQ (5))"] },
        { "a FETCH 2 (MODSEQ BODY[TEXT])", ["* 2 FETCH (MODSEQ (5) BODY[TEXT] {3}", "2", " UID 2 FLAGS (\\Seen))"] },
        { "a ENABLE CONDSTORE", ["* ENABLED CONDSTORE"] },
        { "a STATUS INBOX (HIGHESTMODSEQ)", ["* STATUS INBOX (HIGHESTMODSEQ 4)"] },
    };

    [Theory]
    [MemberData(nameof(EnablingCommands))]
    public async Task The_first_enabling_command_answers_highestmodseq_once(string command, string[] answer)
    {
        await using var t = await Selected(ThreeMessages());
        var first = await t.Exchange(command);
        Assert.Equal(["* OK [HIGHESTMODSEQ 4] Highest", .. answer], first[..^1]);
        Assert.StartsWith("a OK", first[^1]);
        Assert.DoesNotContain(await t.Exchange("b FETCH 1 (MODSEQ)"), l => l.Contains("HIGHESTMODSEQ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_highestmodseq_is_what_the_session_was_told_of()
    {
        var store = ThreeMessages();
        await using var a = await Selected(store);
        await using var b = await Selected(store);
        await a.Exchange("a1 STORE 1 +FLAGS (\\Flagged)");
        Assert.Equal(["* 1 FETCH (UID 1 FLAGS (\\Flagged))", "b1 OK NOOP completed"], await b.Exchange("b1 NOOP"));
        Assert.Equal(["* OK [HIGHESTMODSEQ 5] Highest", "* 1 FETCH (MODSEQ (5))", "b2 OK FETCH completed"], await b.Exchange("b2 FETCH 1 MODSEQ"));
    }

    [Fact]
    public async Task Changes_after_an_expunge_that_must_wait_wait_behind_it()
    {
        var store = ThreeMessages();
        await using var a = await Selected(store);
        await using var b = await Selected(store);
        await a.Exchange("a0 FETCH 1 MODSEQ");
        await b.Exchange("b1 STORE 1 +FLAGS.SILENT (\\Deleted)");
        await b.Exchange("b2 EXPUNGE");
        await b.Exchange("b3 STORE 1 +FLAGS.SILENT (\\Flagged)");
        // No EXPUNGE during FETCH (RFC 3501 §7.4.1), and so no later change either: a client
        // shown MODSEQ 7 would believe it knows everything up to 7, the expunge included.
        Assert.Equal(["* 3 FETCH (FLAGS ())", "a1 OK FETCH completed"], await a.Exchange("a1 FETCH 3 FLAGS"));
        Assert.Equal(["* 1 EXPUNGE", "* 1 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (7))", "a2 OK NOOP completed"], await a.Exchange("a2 NOOP"));
        Assert.Equal(["* STATUS INBOX (HIGHESTMODSEQ 7)", "a3 OK STATUS completed"], await a.Exchange("a3 STATUS INBOX (HIGHESTMODSEQ)"));
    }

    [Fact]
    public async Task Enabled_before_select_the_select_answer_is_enough()
    {
        await using var t = new Transcript(ThreeMessages());
        await t.Exchange("a LOGIN fred secret");
        Assert.Equal(["* ENABLED CONDSTORE", "b OK ENABLE completed"], await t.Exchange("b ENABLE CONDSTORE"));
        await t.Exchange("c SELECT INBOX");
        Assert.Equal(["* 1 FETCH (MODSEQ (2))", "d OK FETCH completed"], await t.Exchange("d FETCH 1 MODSEQ"));
    }
}

namespace Encimap.Imap.Protocol.Tests;

/// <summary>QRESYNC (RFC 7162 §3.2): resynchronisation at SELECT, VANISHED, and UID FETCH (CHANGEDSINCE n VANISHED).</summary>
public sealed class QresyncTranscriptTests
{
    private static MemoryStore FiveMessages()
    {
        var store = new MemoryStore();
        for (var i = 1; i <= 5; i++)
        {
            store.Deliver("INBOX", $"Subject: {i}\r\n\r\n{i}\r\n");
        }

        store.ClaimRecent();
        return store;
    }

    private static async Task<Transcript> LoggedIn(MemoryStore store, bool qresync)
    {
        var t = new Transcript(store);
        await t.Exchange("x1 LOGIN fred secret");
        if (qresync)
        {
            Assert.Equal(["* ENABLED QRESYNC", "x2 OK ENABLE completed"], await t.Exchange("x2 ENABLE QRESYNC"));
        }

        return t;
    }

    [Fact]
    public async Task A_client_that_was_away_is_told_what_vanished_and_what_changed_at_select()
    {
        var store = FiveMessages();
        await using (var other = await LoggedIn(store, qresync: false))
        {
            await other.Exchange("o1 SELECT INBOX");
            await other.Exchange("o2 STORE 2 +FLAGS.SILENT (\\Deleted)");
            await other.Exchange("o3 EXPUNGE");
            await other.Exchange("o4 UID STORE 3 +FLAGS.SILENT (\\Flagged)");
            await other.Exchange("o5 UID MOVE 4 Trash");
        }

        await using var t = await LoggedIn(store, qresync: true);
        var select = await t.Exchange("a SELECT INBOX (QRESYNC (1700000000 6 1:5))");
        Assert.Equal([
            "* OK [HIGHESTMODSEQ 10] Highest",
            "* VANISHED (EARLIER) 2,4",
            "* 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (9))",
            "a OK [READ-WRITE] SELECT completed"], select[^4..]);

        // Of the UIDs the client names only; seq-match-data is accepted.
        var examine = await t.Exchange("b EXAMINE INBOX (QRESYNC (1700000000 6 1:2 (1:2 1:2)))");
        Assert.Equal(["* OK [HIGHESTMODSEQ 10] Highest", "* VANISHED (EARLIER) 2", "b OK [READ-ONLY] EXAMINE completed"], examine[^3..]);

        // Another UIDVALIDITY: a plain SELECT.
        Assert.DoesNotContain(await t.Exchange("c SELECT INBOX (QRESYNC (42 6))"), l => l.Contains("VANISHED", StringComparison.Ordinal) || l.Contains("FETCH", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Once_enabled_expunges_are_vanished_and_their_ok_carries_highestmodseq()
    {
        await using var t = await LoggedIn(FiveMessages(), qresync: true);
        await t.Exchange("a SELECT INBOX");
        await t.Exchange("b STORE 2:3 +FLAGS.SILENT (\\Deleted)");
        Assert.Equal(["* VANISHED 2:3", "c OK [HIGHESTMODSEQ 8] EXPUNGE completed"], await t.Exchange("c EXPUNGE"));
        Assert.Equal(["* OK [COPYUID 1700000000 4 1] Moved", "* VANISHED 4", "d OK [HIGHESTMODSEQ 9] MOVE completed"], await t.Exchange("d UID MOVE 4 Trash"));
        Assert.Equal(["* 1 FETCH (UID 1)", "* 2 FETCH (UID 5)", "e OK FETCH completed"], await t.Exchange("e FETCH 1:* UID"));

        Assert.Equal([
            "* VANISHED (EARLIER) 2:4",
            "* 2 FETCH (UID 5 FLAGS () MODSEQ (6))",
            "f OK FETCH completed"], await t.Exchange("f UID FETCH 1:* (FLAGS) (CHANGEDSINCE 5 VANISHED)"));

        // "*" reaches the expunged UIDs above the last message too.
        await t.Exchange("g UID STORE 5 +FLAGS.SILENT (\\Deleted)");
        Assert.Equal(["* VANISHED 5", "h OK [HIGHESTMODSEQ 11] EXPUNGE completed"], await t.Exchange("h UID EXPUNGE 5"));
        Assert.Equal(["* VANISHED (EARLIER) 2:5", "i OK FETCH completed"], await t.Exchange("i UID FETCH 1:* (FLAGS) (CHANGEDSINCE 5 VANISHED)"));
    }

    [Fact]
    public async Task Qresync_must_be_enabled_first()
    {
        await using var t = await LoggedIn(FiveMessages(), qresync: false);
        Assert.Equal(["a BAD QRESYNC is not enabled"], await t.Exchange("a SELECT INBOX (QRESYNC (1700000000 6))"));
        await t.Exchange("b SELECT INBOX");
        Assert.Equal(["c BAD QRESYNC is not enabled"], await t.Exchange("c UID FETCH 1:* FLAGS (CHANGEDSINCE 1 VANISHED)"));
        Assert.Equal(["d BAD VANISHED needs UID FETCH and CHANGEDSINCE"], await t.Exchange("d FETCH 1:* FLAGS (CHANGEDSINCE 1 VANISHED)"));
        Assert.Equal(["e BAD VANISHED needs UID FETCH and CHANGEDSINCE"], await t.Exchange("e UID FETCH 1:* FLAGS (VANISHED)"));
        // Without QRESYNC, expunges are EXPUNGE and their OK carries nothing.
        await t.Exchange("f STORE 1 +FLAGS.SILENT (\\Deleted)");
        Assert.Equal(["* 1 EXPUNGE", "g OK EXPUNGE completed"], await t.Exchange("g EXPUNGE"));
    }
}

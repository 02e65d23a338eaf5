namespace Encimap.Imap.Protocol.Tests;

/// <summary>\Recent (RFC 3501 §2.3.2): a message is recent in the one session that is told of it first.</summary>
public sealed class RecentTranscriptTests
{
    private static async Task<Transcript> LoggedIn(MemoryStore store)
    {
        var t = new Transcript(store);
        await t.Exchange("x LOGIN fred secret");
        return t;
    }

    [Fact]
    public async Task Only_the_first_session_to_select_gets_a_message_as_recent()
    {
        var store = new MemoryStore();
        store.Deliver("INBOX", "Subject: one\r\n\r\n1\r\n");
        store.Deliver("INBOX", "Subject: two\r\n\r\n2\r\n");
        await using var a = await LoggedIn(store);
        await using var b = await LoggedIn(store);
        await using var c = await LoggedIn(store);

        Assert.Equal(["* STATUS INBOX (RECENT 2 MESSAGES 2)", "c1 OK STATUS completed"], await c.Exchange("c1 STATUS INBOX (RECENT MESSAGES)"));
        // EXAMINE shows \Recent but does not take it from the next session (RFC 3501 §6.3.2).
        Assert.Contains("* 2 RECENT", await c.Exchange("c2 EXAMINE INBOX"));
        Assert.Contains("* 2 RECENT", await a.Exchange("a1 SELECT INBOX"));
        Assert.Contains("* 0 RECENT", await b.Exchange("b1 SELECT INBOX"));
        Assert.Equal(["* STATUS INBOX (RECENT 0)", "c3 OK STATUS completed"], await c.Exchange("c3 STATUS INBOX (RECENT)"));

        Assert.Equal(["* 1 FETCH (FLAGS (\\Recent))", "* 2 FETCH (FLAGS (\\Recent))", "a2 OK FETCH completed"], await a.Exchange("a2 FETCH 1:* FLAGS"));
        Assert.Equal(["* 1 FETCH (FLAGS ())", "* 2 FETCH (FLAGS ())", "b2 OK FETCH completed"], await b.Exchange("b2 FETCH 1:* FLAGS"));
        Assert.Equal(["* 1 FETCH (FLAGS (\\Recent \\Seen))", "a3 OK STORE completed"], await a.Exchange("a3 STORE 1 FLAGS (\\Seen)"));
        Assert.Equal(["* SEARCH 1 2", "a4 OK SEARCH completed"], await a.Exchange("a4 SEARCH RECENT"));
        Assert.Equal(["* SEARCH 2", "a5 OK SEARCH completed"], await a.Exchange("a5 SEARCH NEW"));
        Assert.Equal(["* SEARCH", "a6 OK SEARCH completed"], await a.Exchange("a6 SEARCH OLD"));
        Assert.Equal(["* SEARCH", "* 1 FETCH (UID 1 FLAGS (\\Seen))", "b3 OK SEARCH completed"], await b.Exchange("b3 SEARCH RECENT"));
        Assert.Equal(["* SEARCH 1 2", "b4 OK SEARCH completed"], await b.Exchange("b4 UID SEARCH OLD"));

        // A new message: recent in the session told of it first, whichever that is.
        store.Deliver("INBOX", "Subject: three\r\n\r\n3\r\n");
        Assert.Equal(["* 3 EXISTS", "* 1 RECENT", "b5 OK NOOP completed"], await b.Exchange("b5 NOOP"));
        Assert.Equal(["* 3 EXISTS", "* 2 RECENT", "a7 OK NOOP completed"], await a.Exchange("a7 NOOP"));
        Assert.Equal(["* SEARCH 3", "b6 OK SEARCH completed"], await b.Exchange("b6 SEARCH RECENT"));
    }

    [Fact]
    public async Task Copy_move_and_append_make_the_new_messages_recent_in_the_target()
    {
        var store = new MemoryStore();
        store.Deliver("INBOX", "Subject: one\r\n\r\n1\r\n");
        store.Deliver("INBOX", "Subject: two\r\n\r\n2\r\n");
        store.ClaimRecent();
        await using var a = await LoggedIn(store);
        await using var b = await LoggedIn(store);
        Assert.Contains("* 0 RECENT", await a.Exchange("a1 SELECT INBOX"));
        await a.Exchange("a2 COPY 1:2 Trash");
        Assert.Contains("* 2 RECENT", await b.Exchange("b1 SELECT Trash"));
        Assert.Equal(["* 1 FETCH (FLAGS (\\Recent))", "b2 OK FETCH completed"], await b.Exchange("b2 FETCH 1 FLAGS"));

        // APPEND and COPY to the selected mailbox: this session is told first.
        Assert.Equal(["+ Ready for literal data"], await a.Exchange("a3 APPEND INBOX {18}"));
        Assert.Equal(["* 3 EXISTS", "* 1 RECENT", "a3 OK [APPENDUID 1700000000 3] APPEND completed"], await a.Exchange("Subject: x\r\n\r\nnew", until: "a3 "));
        Assert.Equal(["* 4 EXISTS", "* 2 RECENT", "a4 OK [COPYUID 1700000000 1 4] COPY completed"], await a.Exchange("a4 COPY 1 INBOX"));
        Assert.Equal(["* SEARCH 3 4", "a5 OK SEARCH completed"], await a.Exchange("a5 SEARCH RECENT"));
        Assert.Equal(["* SEARCH 1 2", "a6 OK SEARCH completed"], await a.Exchange("a6 UID SEARCH OLD"));
    }

    [Fact]
    public async Task Imap4rev2_has_no_recent()
    {
        var store = new MemoryStore();
        store.Deliver("INBOX", "Subject: one\r\n\r\n1\r\n");
        await using var a = await LoggedIn(store);
        await a.Exchange("a1 ENABLE IMAP4rev2");
        var select = await a.Exchange("a2 SELECT INBOX");
        Assert.DoesNotContain(select, l => l.EndsWith(" RECENT", StringComparison.Ordinal));
        Assert.Equal(["* 1 FETCH (FLAGS ())", "a3 OK FETCH completed"], await a.Exchange("a3 FETCH 1 FLAGS"));
    }
}

using Encimap.Imap.Protocol;

namespace Encimap.Imap.Protocol.Tests;

/// <summary>Whole sessions: client lines in, server lines out, compared exactly.</summary>
public sealed class TranscriptTests
{
    private const string Capabilities = "IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE IDLE NAMESPACE UIDPLUS MOVE UNSELECT SPECIAL-USE LIST-EXTENDED LIST-STATUS XLIST CONDSTORE ESEARCH UTF8=ACCEPT BINARY CHILDREN MULTIAPPEND QRESYNC";

    private static MemoryStore StoreWithMail()
    {
        var store = new MemoryStore();
        store.Deliver("INBOX", "From: Alice <alice@example.com>\r\nSubject: one\r\n\r\nbody one\r\n");
        store.Deliver("INBOX", "From: Bob <bob@example.com>\r\nSubject: two\r\n\r\nbody two\r\n", Flags.Seen);
        store.Deliver("INBOX", "From: Carol <carol@example.com>\r\nSubject: three\r\n\r\nbody three\r\n");
        store.ClaimRecent();
        return store;
    }

    private static async Task<Transcript> LoggedIn(MemoryStore store)
    {
        var t = new Transcript(store);
        Assert.StartsWith("a0 OK", (await t.Exchange("a0 LOGIN fred secret"))[^1]);
        return t;
    }

    [Fact]
    public async Task CleartextPortRequiresStartTls()
    {
        await using var t = new Transcript(new MemoryStore(), secure: false);
        Assert.Equal($"* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED {Capabilities["IMAP4rev1 IMAP4rev2 ".Length..]}] Encimap IMAP4rev1 ready", t.Greeting);
        Assert.Equal(["a NO [PRIVACYREQUIRED] Log in after STARTTLS"], await t.Exchange("a LOGIN fred secret"));
        Assert.Equal(["b BAD SELECT is not allowed before logging in"], await t.Exchange("b SELECT INBOX"));
        Assert.Equal(["c OK Begin TLS negotiation now"], await t.Exchange("c STARTTLS"));
        Assert.Equal([$"* CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR {Capabilities["IMAP4rev1 IMAP4rev2 ".Length..]}", "d OK CAPABILITY completed"], await t.Exchange("d CAPABILITY"));
        Assert.Equal(["e BAD TLS is already active or not available"], await t.Exchange("e STARTTLS"));
        Assert.StartsWith("f OK [CAPABILITY", (await t.Exchange("f LOGIN fred secret"))[0]);
    }

    [Fact]
    public async Task LoginAndAuthenticate()
    {
        await using var t = new Transcript(new MemoryStore());
        Assert.Equal(["a NO [AUTHENTICATIONFAILED] Invalid credentials"], await t.Exchange("a LOGIN fred wrong"));
        Assert.Equal(["+ "], await t.Exchange("b AUTHENTICATE PLAIN"));
        Assert.Equal(["b BAD Authentication cancelled"], await t.Exchange("*", until: "b "));
        var plain = Convert.ToBase64String("\0fred\0secret"u8.ToArray());
        Assert.StartsWith("c OK [CAPABILITY IMAP4rev1", (await t.Exchange("c AUTHENTICATE PLAIN " + plain))[0]);
        Assert.Equal(["d BAD LOGIN is not allowed now"], await t.Exchange("d LOGIN fred secret"));
        Assert.Equal(["* BYE Logging out", "e OK LOGOUT completed"], await t.Exchange("e LOGOUT"));
        Assert.True(await t.Closed());
    }

    [Fact]
    public async Task ListStatusAndNamespace()
    {
        var store = StoreWithMail();
        await using var t = await LoggedIn(store);
        Assert.Equal(["* LIST (\\Noselect) \"/\" \"\"", "a OK LIST completed"], await t.Exchange("a LIST \"\" \"\""));
        Assert.Equal(["b OK CREATE completed"], await t.Exchange("b CREATE Entw&APw-rfe/Alt"));
        Assert.Equal([
            "* LIST (\\HasNoChildren) \"/\" INBOX",
            "* LIST (\\Noselect \\HasChildren) \"/\" Entw&APw-rfe",
            "* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe/Alt",
            "* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
            "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
            "c OK LIST completed"], await t.Exchange("c LIST \"\" *"));
        Assert.Equal(["* LIST (\\HasNoChildren \\Sent) \"/\" Sent", "* LIST (\\HasNoChildren \\Trash) \"/\" Trash", "d OK LIST completed"],
            await t.Exchange("d LIST (SPECIAL-USE) \"\" *"));
        Assert.Equal(["* XLIST (\\HasNoChildren \\Inbox) \"/\" INBOX", "e OK XLIST completed"], await t.Exchange("e XLIST \"\" INBOX"));
        Assert.Equal(["* STATUS INBOX (MESSAGES 3 UNSEEN 2 UIDNEXT 4 UIDVALIDITY 1700000000 HIGHESTMODSEQ 4)", "f OK STATUS completed"],
            await t.Exchange("f STATUS inbox (MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ)"));
        Assert.Equal(["* NAMESPACE ((\"\" \"/\")) NIL NIL", "g OK NAMESPACE completed"], await t.Exchange("g NAMESPACE"));
        Assert.Equal(["h NO [NONEXISTENT] No such mailbox"], await t.Exchange("h SELECT Nowhere"));
        Assert.Equal(["* ENABLED UTF8=ACCEPT", "i OK ENABLE completed"], await t.Exchange("i ENABLE UTF8=ACCEPT"));
        Assert.Equal(["* LIST (\\HasNoChildren) \"/\" \"Entwürfe/Alt\"", "j OK LIST completed"], await t.Exchange("j LIST \"\" Entw%/%"));
    }

    [Fact]
    public async Task SelectFetchStoreSearchExpunge()
    {
        var store = StoreWithMail();
        await using var t = await LoggedIn(store);
        Assert.Equal([
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted",
            "* 3 EXISTS",
            "* 0 RECENT",
            "* OK [UNSEEN 1] First unseen",
            "* OK [UIDVALIDITY 1700000000] UIDs valid",
            "* OK [UIDNEXT 4] Predicted next UID",
            "* OK [HIGHESTMODSEQ 4] Highest",
            "a OK [READ-WRITE] SELECT completed"], await t.Exchange("a SELECT INBOX"));
        Assert.Equal([
            "* 1 FETCH (UID 1 FLAGS () RFC822.SIZE 59 ENVELOPE (NIL \"subject 1\" ((\"Al\" NIL \"al\" \"example.com\")) ((\"Al\" NIL \"al\" \"example.com\")) ((\"Al\" NIL \"al\" \"example.com\")) NIL NIL NIL NIL \"<1@example.com>\"))",
            "b OK FETCH completed"], await t.Exchange("b UID FETCH 1 (FLAGS RFC822.SIZE ENVELOPE)"));
        Assert.Equal(["* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {16}", "Subject: two", "", ")", "c OK FETCH completed"],
            await t.Exchange("c FETCH 2 BODY.PEEK[HEADER.FIELDS (SUBJECT)]"));
        Assert.Equal(["* 3 FETCH (BODY[TEXT]<5> {5}", "three FLAGS (\\Seen))", "d OK FETCH completed"], await t.Exchange("d FETCH 3 BODY[TEXT]<5.5>"));
        Assert.Equal(["* SEARCH 1", "e OK SEARCH completed"], await t.Exchange("e SEARCH UNSEEN"));
        Assert.Equal(["* SEARCH 2 3", "f OK SEARCH completed"], await t.Exchange("f UID SEARCH OR FROM bob SUBJECT three"));
        Assert.Equal(["* ESEARCH (TAG \"g\") UID MIN 1 MAX 3 COUNT 3", "g OK SEARCH completed"], await t.Exchange("g UID SEARCH RETURN (MIN MAX COUNT) ALL"));
        Assert.Equal(["* 1 FETCH (FLAGS (\\Deleted))", "* 2 FETCH (FLAGS (\\Seen \\Deleted))", "h OK STORE completed"], await t.Exchange("h STORE 1:2 +FLAGS (\\Deleted)"));
        Assert.Equal(["i OK STORE completed"], await t.Exchange("i UID STORE 2 -FLAGS.SILENT (\\Deleted)"));
        Assert.Equal(["* 1 EXPUNGE", "j OK EXPUNGE completed"], await t.Exchange("j EXPUNGE"));
        Assert.Equal(["* 1 FETCH (UID 2 FLAGS (\\Seen))", "* 2 FETCH (UID 3 FLAGS (\\Seen))", "k OK FETCH completed"], await t.Exchange("k FETCH 1:* (UID FLAGS)"));
        Assert.Equal(["l BAD Invalid message sequence number"], await t.Exchange("l FETCH 3 FLAGS"));
        Assert.Equal(["m OK [COPYUID 1700000000 2:3 1:2] COPY completed"], await t.Exchange("m COPY 1:2 Trash"));
        Assert.Equal(["n NO [TRYCREATE] No such mailbox"], await t.Exchange("n COPY 1 Nowhere"));
        Assert.Equal(["* OK [COPYUID 1700000000 3 3] Moved", "* 2 EXPUNGE", "o OK MOVE completed"], await t.Exchange("o UID MOVE 3 Trash"));
        Assert.Equal(["p OK CLOSE completed"], await t.Exchange("p CLOSE"));
        Assert.Equal(["q BAD FETCH is not allowed without a selected mailbox"], await t.Exchange("q FETCH 1 FLAGS"));
    }

    [Fact]
    public async Task CondStore()
    {
        var store = StoreWithMail();
        await using var t = await LoggedIn(store);
        Assert.Equal("a OK [READ-WRITE] SELECT completed", (await t.Exchange("a SELECT INBOX (CONDSTORE)"))[^1]);
        Assert.Equal(["* 1 FETCH (UID 1 MODSEQ (5))", "b OK [MODIFIED 2] STORE completed"], await t.Exchange("b UID STORE 1:2 (UNCHANGEDSINCE 2) +FLAGS.SILENT (\\Flagged)"));
        Assert.Equal(["* 1 FETCH (FLAGS (\\Flagged) MODSEQ (5))", "c OK FETCH completed"], await t.Exchange("c FETCH 1:* (FLAGS) (CHANGEDSINCE 4)"));
        Assert.Equal(["* SEARCH 1 (MODSEQ 5)", "d OK SEARCH completed"], await t.Exchange("d SEARCH MODSEQ 5"));
    }

    [Fact]
    public async Task ExamineIsReadOnly()
    {
        await using var t = await LoggedIn(StoreWithMail());
        Assert.Equal("a OK [READ-ONLY] EXAMINE completed", (await t.Exchange("a EXAMINE INBOX"))[^1]);
        Assert.Equal(["b NO [READ-ONLY] Mailbox is read-only"], await t.Exchange("b STORE 1 +FLAGS (\\Seen)"));
        Assert.Equal(["* 1 FETCH (BODY[TEXT] {10}", "body one", ")", "c OK FETCH completed"], await t.Exchange("c FETCH 1 BODY[TEXT]"));
    }

    [Fact]
    public async Task OtherSessionsChangesArriveAtTheRightMoments()
    {
        var store = StoreWithMail();
        await using var a = await LoggedIn(store);
        await using var b = await LoggedIn(store);
        await a.Exchange("a1 SELECT INBOX");
        await b.Exchange("b1 SELECT INBOX");
        Assert.Equal(["* 1 FETCH (FLAGS (\\Deleted))", "b2 OK STORE completed"], await b.Exchange("b2 STORE 1 FLAGS (\\Deleted)"));
        Assert.Equal(["* 1 EXPUNGE", "b3 OK EXPUNGE completed"], await b.Exchange("b3 EXPUNGE"));
        // a may not learn of the expunge during FETCH: its message 1 is still there for it.
        Assert.Equal(["* 3 FETCH (FLAGS ())", "a2 OK FETCH completed"], await a.Exchange("a2 FETCH 3 FLAGS"));
        Assert.Equal(["* 1 EXPUNGE", "a3 OK NOOP completed"], await a.Exchange("a3 NOOP"));
        store.Deliver("INBOX", "Subject: four\r\n\r\n4\r\n");
        Assert.Equal(["* 3 EXISTS", "* 1 RECENT", "a4 OK NOOP completed"], await a.Exchange("a4 NOOP"));
    }

    [Fact]
    public async Task IdleReportsDeliveries()
    {
        var store = StoreWithMail();
        await using var t = await LoggedIn(store);
        await t.Exchange("a SELECT INBOX");
        Assert.Equal(["+ idling"], await t.Exchange("b IDLE"));
        store.Deliver("INBOX", "Subject: new\r\n\r\nx\r\n");
        Assert.Equal("* 4 EXISTS", await t.ReadLine());
        Assert.Equal("* 1 RECENT", await t.ReadLine());
        Assert.Equal(["b OK IDLE terminated"], await t.Exchange("DONE", until: "b "));
    }

    [Fact]
    public async Task AppendAndLiterals()
    {
        var store = new MemoryStore();
        await using var t = await LoggedIn(store);
        Assert.Equal(["+ Ready for literal data"], await t.Exchange("a APPEND Sent (\\Seen) {19}"));
        Assert.Equal(["a OK [APPENDUID 1700000000 1] APPEND completed"], await t.Exchange("Subject: x\r\n\r\nhello", until: "a "));
        Assert.Equal(["b NO [TRYCREATE] No such mailbox"], await t.Exchange("b APPEND Nowhere {1+}\r\nx"));
    }

    [Fact]
    public async Task LimitsApply()
    {
        await using var t = new Transcript(new MemoryStore(), limits: new ImapLimits { MaxUnauthenticatedCommands = 2, MaxLiteralSize = 10 });
        Assert.Equal(["a BAD [TOOBIG] literal too large"], await t.Exchange("a APPEND INBOX {11}"));
        Assert.Equal(["b OK NOOP completed"], await t.Exchange("b NOOP"));
        Assert.Equal(["c OK NOOP completed", "* BYE Too many commands without logging in"], await t.Exchange("c NOOP", until: "* BYE"));
        Assert.True(await t.Closed());
    }

    [Fact]
    public async Task Imap4rev2ClientsGetEsearchAndNoRecent()
    {
        await using var t = await LoggedIn(StoreWithMail());
        Assert.Equal(["* ENABLED IMAP4rev2", "a OK ENABLE completed"], await t.Exchange("a ENABLE IMAP4rev2"));
        var select = await t.Exchange("b SELECT INBOX");
        Assert.DoesNotContain("* 0 RECENT", select);
        Assert.Contains("* LIST () \"/\" INBOX", select);
        Assert.Equal(["* ESEARCH (TAG \"c\") ALL 1,3", "c OK SEARCH completed"], await t.Exchange("c SEARCH UNSEEN"));
        Assert.Equal(["* ESEARCH (TAG \"d\") UID COUNT 1", "d OK SEARCH completed"], await t.Exchange("d UID SEARCH RETURN (COUNT) SEEN"));
    }

    [Fact]
    public async Task StorageFailureFailsTheCommandNotTheSession()
    {
        var store = StoreWithMail();
        await using var t = await LoggedIn(store);
        await t.Exchange("a SELECT INBOX");
        store.SearchFailure = new InvalidOperationException("storage is down");
        Assert.Equal(["b NO [UNAVAILABLE] Temporary server failure; try again"], await t.Exchange("b SEARCH ALL"));
        // A timeout of the storage is no reason to close the connection either.
        store.SearchFailure = new TaskCanceledException("storage timed out");
        Assert.Equal(["c NO [UNAVAILABLE] Temporary server failure; try again"], await t.Exchange("c SEARCH ALL"));
        // Nor is an I/O error that is not the connection's.
        store.SearchFailure = new IOException("the storage connection broke");
        Assert.Equal(["d NO [UNAVAILABLE] Temporary server failure; try again"], await t.Exchange("d SEARCH ALL"));
        store.SearchFailure = new ObjectDisposedException("storage connection");
        Assert.Equal(["e NO [UNAVAILABLE] Temporary server failure; try again"], await t.Exchange("e SEARCH ALL"));
        store.SearchFailure = null;
        Assert.Equal(["* SEARCH 1 2 3", "f OK SEARCH completed"], await t.Exchange("f SEARCH ALL"));
    }

    [Fact]
    public async Task CommandsBreakingALimitAreAnsweredBadAndTheSessionGoesOn()
    {
        await using var t = new Transcript(new MemoryStore(), limits: new ImapLimits { MaxLiteralSize = 10, MaxLineLength = 100 });
        await t.Exchange("a LOGIN fred secret");
        Assert.Equal(["b BAD [TOOBIG] literal too large"], await t.Exchange("b APPEND INBOX {11+}\r\n0123456789A"));
        Assert.Equal(["c BAD line too long"], await t.Exchange("c LOGIN " + new string('x', 300)));
        Assert.Equal(["d BAD unknown command BOGUS"], await t.Exchange("d BOGUS"));
        Assert.Equal(["e OK NOOP completed"], await t.Exchange("e NOOP"));
    }

    [Fact]
    public async Task BytesSentWithStartTlsAreDiscarded()
    {
        await using var t = new Transcript(new MemoryStore(), secure: false);
        // A command injected behind STARTTLS, before the handshake, must not run.
        Assert.Equal(["a OK Begin TLS negotiation now"], await t.Exchange("a STARTTLS\r\nb LOGIN fred secret"));
        Assert.Equal(["c BAD SELECT is not allowed before logging in"], await t.Exchange("c SELECT INBOX"));
    }

    [Fact]
    public async Task UnselectKeepsTheSessionAndCloseExpunges()
    {
        var store = StoreWithMail();
        await using var t = await LoggedIn(store);
        await t.Exchange("a SELECT INBOX");
        await t.Exchange("b STORE 1 +FLAGS.SILENT (\\Deleted)");
        Assert.Equal(["c OK UNSELECT completed"], await t.Exchange("c UNSELECT"));
        Assert.Equal(["* STATUS INBOX (MESSAGES 3)", "d OK STATUS completed"], await t.Exchange("d STATUS INBOX (MESSAGES)"));
        await t.Exchange("e SELECT INBOX");
        Assert.Equal(["f OK CLOSE completed"], await t.Exchange("f CLOSE"));
        Assert.Equal(["* STATUS INBOX (MESSAGES 2)", "g OK STATUS completed"], await t.Exchange("g STATUS INBOX (MESSAGES)"));
    }
}

namespace Encimap.Imap.Protocol.Tests;

/// <summary>A FETCH that shows a keyword comes after a FLAGS response announcing it (RFC 3501 §7.2.6).</summary>
public sealed class KeywordTranscriptTests
{
    private const string Flags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

    [Fact]
    public async Task A_new_keyword_is_announced_before_the_fetch_that_shows_it_in_every_session()
    {
        var store = new MemoryStore();
        store.Deliver("INBOX", "Subject: one\r\n\r\n1\r\n");
        store.Deliver("INBOX", "Subject: two\r\n\r\n2\r\n", "$Work");
        store.ClaimRecent();
        await using var a = new Transcript(store);
        await using var b = new Transcript(store);
        await a.Exchange("a1 LOGIN fred secret");
        await b.Exchange("b1 LOGIN fred secret");
        Assert.Equal([$"* FLAGS ({Flags} $Work)", $"* OK [PERMANENTFLAGS ({Flags} $Work \\*)] Flags permitted"], (await a.Exchange("a2 SELECT INBOX"))[..2]);
        Assert.Equal([$"* FLAGS ({Flags} $Work)", "* OK [PERMANENTFLAGS ()] Flags permitted"], (await b.Exchange("b2 EXAMINE INBOX"))[..2]);

        Assert.Equal([
            $"* FLAGS ({Flags} $Work $Label3)",
            $"* OK [PERMANENTFLAGS ({Flags} $Work $Label3 \\*)] Flags permitted",
            "* 1 FETCH (FLAGS ($Label3))",
            "a3 OK STORE completed"], await a.Exchange("a3 STORE 1 +FLAGS ($Label3)"));
        Assert.Equal(["* 2 FETCH (FLAGS ($Work $Label3))", "a4 OK STORE completed"], await a.Exchange("a4 STORE 2 +FLAGS ($Label3)"));

        // The other session learns of the keyword from FLAGS, then from the FETCH.
        Assert.Equal([
            $"* FLAGS ({Flags} $Work $Label3)",
            "* OK [PERMANENTFLAGS ()] Flags permitted",
            "* 1 FETCH (UID 1 FLAGS ($Label3))",
            "* 2 FETCH (UID 2 FLAGS ($Work $Label3))",
            "b3 OK NOOP completed"], await b.Exchange("b3 NOOP"));

        // .SILENT shows no flags: the announcement waits for the first FETCH that does.
        Assert.Equal(["a5 OK STORE completed"], await a.Exchange("a5 STORE 1 +FLAGS.SILENT ($Later)"));
        Assert.Equal([
            $"* FLAGS ({Flags} $Work $Label3 $Later)",
            $"* OK [PERMANENTFLAGS ({Flags} $Work $Label3 $Later \\*)] Flags permitted",
            "* 1 FETCH (FLAGS ($Label3 $Later))",
            "a6 OK FETCH completed"], await a.Exchange("a6 FETCH 1 FLAGS"));
    }
}

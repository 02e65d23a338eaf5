namespace Encimap.Imap.Protocol.Tests;

/// <summary>SEARCH sequence sets: "*", and numbers beyond the mailbox.</summary>
public sealed class SearchTranscriptTests
{
    private static MemoryStore ThreeMessages()
    {
        var store = new MemoryStore();
        for (var i = 1; i <= 3; i++)
        {
            store.Deliver("INBOX", $"Subject: {i}\r\n\r\n{i}\r\n");
        }

        return store;
    }

    [Fact]
    public async Task Star_is_the_last_message_and_numbers_beyond_the_mailbox_match_nothing()
    {
        await using var t = new Transcript(ThreeMessages());
        await t.Exchange("a LOGIN fred secret");
        await t.Exchange("b SELECT INBOX");
        Assert.Equal(["* SEARCH 3", "c OK SEARCH completed"], await t.Exchange("c SEARCH *"));
        Assert.Equal(["* SEARCH 3", "d OK SEARCH completed"], await t.Exchange("d UID SEARCH *"));
        Assert.Equal(["* ESEARCH (TAG \"e\")", "e OK SEARCH completed"], await t.Exchange("e SEARCH RETURN () 1000"));
        Assert.Equal(["* ESEARCH (TAG \"f\") ALL 2:3", "f OK SEARCH completed"], await t.Exchange("f SEARCH RETURN () 2:1000"));
        Assert.Equal(["* ESEARCH (TAG \"g\") COUNT 1", "g OK SEARCH completed"], await t.Exchange("g SEARCH RETURN (COUNT) CHARSET UTF-8 *"));
        // FETCH acts on the messages it names: there a number beyond the mailbox stays an error.
        Assert.Equal(["h BAD Invalid message sequence number"], await t.Exchange("h FETCH 1000 FLAGS"));
    }

    [Fact]
    public async Task Star_of_an_empty_mailbox_matches_nothing()
    {
        await using var t = new Transcript(new MemoryStore());
        await t.Exchange("a LOGIN fred secret");
        await t.Exchange("b SELECT INBOX");
        Assert.Equal(["* SEARCH", "c OK SEARCH completed"], await t.Exchange("c SEARCH *"));
        Assert.Equal(["* SEARCH", "d OK SEARCH completed"], await t.Exchange("d UID SEARCH 1:*"));
    }
}

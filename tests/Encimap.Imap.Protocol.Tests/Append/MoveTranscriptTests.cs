namespace Encimap.Imap.Protocol.Tests;

/// <summary>MOVE (RFC 6851).</summary>
public sealed class MoveTranscriptTests
{
    [Fact]
    public async Task Moving_to_the_selected_mailbox_gives_the_messages_new_uids_at_its_end()
    {
        var store = new MemoryStore();
        for (var i = 1; i <= 3; i++)
        {
            store.Deliver("INBOX", $"Subject: {i}\r\n\r\n{i}\r\n");
        }

        store.ClaimRecent();
        await using var t = new Transcript(store);
        await t.Exchange("a LOGIN fred secret");
        await t.Exchange("b SELECT INBOX");
        // As a COPY and an EXPUNGE would (Dovecot does the same): COPYUID, the expunge, and the
        // new message, which is \Recent in this session.
        Assert.Equal([
            "* OK [COPYUID 1700000000 1 4] Moved",
            "* 1 EXPUNGE",
            "* 3 EXISTS",
            "* 1 RECENT",
            "c OK MOVE completed"], await t.Exchange("c MOVE 1 INBOX"));
        Assert.Equal(["* 1 FETCH (UID 2)", "* 2 FETCH (UID 3)", "* 3 FETCH (UID 4)", "d OK FETCH completed"], await t.Exchange("d FETCH 1:* UID"));
    }
}

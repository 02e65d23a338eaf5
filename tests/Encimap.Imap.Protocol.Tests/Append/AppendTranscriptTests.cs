namespace Encimap.Imap.Protocol.Tests;

/// <summary>MULTIAPPEND (RFC 3502): several messages in one APPEND, all or none.</summary>
public sealed class AppendTranscriptTests
{
    [Fact]
    public async Task Several_messages_are_appended_at_once_with_their_uids()
    {
        await using var t = new Transcript(new MemoryStore());
        await t.Exchange("a LOGIN fred secret");
        Assert.Equal(["b OK [APPENDUID 1700000000 1:2] APPEND completed"],
            await t.Exchange("b APPEND Sent (\\Seen) {15+}\r\nSubject: 1\r\n\r\nx {15+}\r\nSubject: 2\r\n\r\ny"));

        // Synchronizing literals: a continuation for each.
        Assert.Equal(["+ Ready for literal data"], await t.Exchange("c APPEND Sent {15}"));
        Assert.Equal(["+ Ready for literal data"], await t.Exchange("Subject: 3\r\n\r\nz \"01-Feb-2024 10:00:00 +0100\" {15}", until: "+ "));
        Assert.Equal(["c OK [APPENDUID 1700000000 3:4] APPEND completed"], await t.Exchange("Subject: 4\r\n\r\nw", until: "c "));
        Assert.Equal(["* STATUS Sent (MESSAGES 4)", "d OK STATUS completed"], await t.Exchange("d STATUS Sent (MESSAGES)"));
        await t.Exchange("e EXAMINE Sent");
        Assert.Equal(["* 4 FETCH (INTERNALDATE \"01-Feb-2024 10:00:00 +0100\")", "f OK FETCH completed"], await t.Exchange("f FETCH 4 INTERNALDATE"));
    }

    [Fact]
    public async Task One_message_refused_none_is_appended()
    {
        await using var t = new Transcript(new MemoryStore());
        await t.Exchange("a LOGIN fred secret");
        var keyword = "$" + new string('k', 200);
        Assert.Equal(["b NO A flag is too long"], await t.Exchange($"b APPEND Sent {{15+}}\r\nSubject: 1\r\n\r\nx ({keyword}) {{15+}}\r\nSubject: 2\r\n\r\ny"));
        Assert.Equal(["* STATUS Sent (MESSAGES 0)", "c OK STATUS completed"], await t.Exchange("c STATUS Sent (MESSAGES)"));
    }
}

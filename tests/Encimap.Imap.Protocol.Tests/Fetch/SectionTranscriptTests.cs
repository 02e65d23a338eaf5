namespace Encimap.Imap.Protocol.Tests;

/// <summary>BODY[section] and BINARY[part] of a multipart message, resolved by the library for any backend.</summary>
public sealed class SectionTranscriptTests
{
    private const string Multipart =
        "From: a@example.com\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
        "--b\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n" +
        "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n" +
        "--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nX-Other: y\r\n\r\ninner body\r\n" +
        "--b--\r\n";

    [Fact]
    public async Task Part_sections_are_slices_of_the_stored_message()
    {
        var store = new MemoryStore();
        store.Deliver("INBOX", Multipart);
        await using var t = new Transcript(store);
        await t.Exchange("a LOGIN fred secret");
        await t.Exchange("b EXAMINE INBOX");
        Assert.Equal(["* 1 FETCH (BODY[1] {10}", "first part)", "c OK FETCH completed"], await t.Exchange("c FETCH 1 BODY.PEEK[1]"));
        Assert.Equal(["* 1 FETCH (BODY[1.MIME] {28}", "Content-Type: text/plain", "", ")", "d OK FETCH completed"], await t.Exchange("d FETCH 1 BODY.PEEK[1.MIME]"));
        Assert.Equal(["* 1 FETCH (BINARY[2] {5}", "hello)", "e OK FETCH completed"], await t.Exchange("e FETCH 1 BINARY.PEEK[2]"));
        Assert.Equal(["* 1 FETCH (BINARY.SIZE[2] 5)", "f OK FETCH completed"], await t.Exchange("f FETCH 1 BINARY.SIZE[2]"));
        Assert.Equal(["* 1 FETCH (BODY[3.HEADER.FIELDS (SUBJECT)] {18}", "Subject: inner", "", ")", "g OK FETCH completed"],
            await t.Exchange("g FETCH 1 BODY.PEEK[3.HEADER.FIELDS (SUBJECT)]"));
        Assert.Equal(["* 1 FETCH (BODY[3.TEXT] {10}", "inner body)", "h OK FETCH completed"], await t.Exchange("h FETCH 1 BODY.PEEK[3.TEXT]"));
        Assert.Equal(["* 1 FETCH (BODY[4] {0}", ")", "i OK FETCH completed"], await t.Exchange("i FETCH 1 BODY.PEEK[4]"));
    }
}

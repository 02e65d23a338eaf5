using System.Buffers;
using System.Text;
using Encimap.Imap.Protocol;

namespace Encimap.Imap.Protocol.Tests;

public sealed class PrimitiveTests
{
    [Theory]
    [InlineData("Entwürfe", "Entw&APw-rfe")]
    [InlineData("a&b", "a&-b")]
    [InlineData("日本語", "&ZeVnLIqe-")]
    [InlineData("plain", "plain")]
    public void ModifiedUtf7RoundTrips(string name, string encoded)
    {
        Assert.Equal(encoded, ModifiedUtf7.Encode(name));
        Assert.Equal(name, ModifiedUtf7.Decode(encoded));
    }

    [Theory]
    [InlineData("*", "Work/2024", true)]
    [InlineData("%", "Work/2024", false)]
    [InlineData("Work/%", "Work/2024", true)]
    [InlineData("inbox", "INBOX", true)]
    [InlineData("S%", "Sent", true)]
    [InlineData("Sent", "sent", false)]
    public void Wildcards(string pattern, string name, bool matches) => Assert.Equal(matches, Wildcard.Matches(pattern, name));

    [Fact]
    public void SequenceNumbersFollowTheSessionView()
    {
        var view = new MailboxView("INBOX", 1, [3, 5, 9, 10], readOnly: false);
        Assert.Equal([new UidRange(5, 10)], view.Resolve(SequenceSet.Parse("2:*"), uid: false));
        Assert.Null(view.Resolve(SequenceSet.Parse("5"), uid: false));
        Assert.Equal([new UidRange(10, 11)], view.Resolve(SequenceSet.Parse("11:*"), uid: true));
        Assert.Equal(2u, view.Remove(5));
        Assert.Equal(3u, view.SequenceOf(10));
        Assert.Equal(4, view.Append([12]));
    }

    [Fact]
    public void CompressesSets() => Assert.Equal("1:3,5,7:8", SequenceSet.Compress([1, 2, 3, 5, 7, 8]));

    [Fact]
    public void SelectsHeaderFields()
    {
        var header = "From: a@b\r\nSubject: hi\r\n there\r\nTo: c@d\r\n\r\n"u8.ToArray();
        Assert.Equal("Subject: hi\r\n there\r\n\r\n", Encoding.ASCII.GetString(HeaderBlock.Select(header, ["SUBJECT"], exclude: false)));
        Assert.Equal("From: a@b\r\nTo: c@d\r\n\r\n", Encoding.ASCII.GetString(HeaderBlock.Select(header, ["SUBJECT"], exclude: true)));
        Assert.Equal(header.Length, HeaderBlock.Length(header.Concat("body"u8.ToArray()).ToArray()));
    }

    [Fact]
    public void WritesStringsAsQuotedOrLiteral()
    {
        var buffer = new ArrayBufferWriter<byte>();
        new ImapWriter(buffer).String("a\"b").Space().String("line\r\nbreak").Space().NString(null).Space().String("é");
        Assert.Equal("\"a\\\"b\" {11}\r\nline\r\nbreak NIL {2}\r\né", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void WritesBodyStructure()
    {
        var part = new ImapBodyPart
        {
            Type = "application",
            Subtype = "pkcs7-mime",
            Parameters = [new("smime-type", "enveloped-data"), new("name", "smime.p7m")],
            Encoding = "base64",
            Size = 1234,
            Disposition = new ImapDisposition("attachment", [new("filename", "smime.p7m")]),
        };
        Assert.Equal(
            "(\"APPLICATION\" \"PKCS7-MIME\" (\"SMIME-TYPE\" \"enveloped-data\" \"NAME\" \"smime.p7m\") NIL NIL \"BASE64\" 1234 NIL (\"ATTACHMENT\" (\"FILENAME\" \"smime.p7m\")) NIL NIL)",
            FetchWriter.Describe(part));
    }

    [Fact]
    public void EvaluatesSearch()
    {
        var candidate = new SearchCandidate
        {
            Uid = 7,
            Flags = [@"\Seen"],
            InternalDate = new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero),
            Size = 5000,
            ModSeq = 9,
            Header = "From: Alice <alice@example.com>\r\nDate: Fri, 1 Mar 2024 09:00:00 +0100\r\nSubject: Quarterly report\r\n\r\n"u8.ToArray(),
        };
        Assert.True(SearchEvaluator.Matches(ImapParser.Parse("a SEARCH SEEN FROM alice SUBJECT QUARTERLY").Arguments is SearchArguments s ? s.Criteria : null!, candidate));
        Assert.True(SearchEvaluator.Matches(new SearchDate(SearchDateField.Sent, SearchDateComparison.On, new DateOnly(2024, 3, 1)), candidate));
        Assert.False(SearchEvaluator.Matches(new SearchOr(new SearchSize(true, 5000), new SearchFlag(@"\Deleted", true)), candidate));
        Assert.True(SearchEvaluator.Matches(new SearchText(true, "report"), candidate));
        Assert.True(SearchEvaluator.Matches(new SearchSet(SequenceSet.Range(5, 8), true), candidate));
    }
}

namespace Encimap.Mime.Tests;

public class EnvelopeTests
{
    [Fact]
    public void Envelope_carries_raw_unfolded_values_and_parsed_addresses()
    {
        var envelope = Envelope.FromHeaders(Corpus.Parse("thunderbird-mixed-alternative-related-attachment.eml").Headers);

        Assert.Equal("Tue, 14 Nov 2023 09:41:27 +0100", envelope.Date);
        Assert.Equal("=?UTF-8?Q?Quartalsbericht_=E2=80=93_Entwurf_mit_Diagramm?=", envelope.Subject);
        Assert.Equal("Quartalsbericht – Entwurf mit Diagramm", envelope.DecodedSubject);
        Assert.Equal([new MailAddress("=?UTF-8?Q?Ren=C3=A9e_Dupont?=", null, "renee", "example.org")], envelope.From);
        Assert.Equal(
            [new MailAddress("=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?=", null, "juergen.mueller", "example.com"),
             new MailAddress("Smith, Anna", null, "anna.smith", "example.net")],
            envelope.To);
        Assert.Equal([new MailAddress(null, null, "team", "example.org")], envelope.Cc);
        Assert.Empty(envelope.Bcc);
        Assert.Null(envelope.InReplyTo);
        Assert.Equal("<5f1c2a7e-93b1-4a0e-b2c4-1d2e3f405162@example.org>", envelope.MessageId);
    }

    [Fact]
    public void Sender_and_reply_to_default_to_from_when_absent_or_empty()
    {
        var absent = Envelope.FromHeaders(Corpus.ParseText("From: a@example.com\r\n\r\n").Headers);
        var empty = Envelope.FromHeaders(Corpus.ParseText("From: a@example.com\r\nSender:\r\nReply-To: \r\n\r\n").Headers);
        var present = Envelope.FromHeaders(Corpus.ParseText("From: a@example.com\r\nSender: s@example.com\r\nReply-To: r@example.com\r\n\r\n").Headers);

        Assert.Equal(absent.From, absent.Sender);
        Assert.Equal(absent.From, absent.ReplyTo);
        Assert.Equal(empty.From, empty.Sender);
        Assert.Equal(empty.From, empty.ReplyTo);
        Assert.Equal("s", present.Sender[0].Mailbox);
        Assert.Equal("r", present.ReplyTo[0].Mailbox);
    }

    [Fact]
    public void Missing_fields_are_null_and_missing_lists_empty()
    {
        var envelope = Envelope.FromHeaders(HeaderList.Empty);

        Assert.Equal(new Envelope(null, null, [], [], [], [], [], [], null, null), envelope);
    }

    [Fact]
    public void Envelope_of_an_encapsulated_message_keeps_groups_and_in_reply_to()
    {
        var inner = Corpus.Parse("forwarded-message-rfc822.eml").FindPart("2")!.EncapsulatedMessage!;
        var envelope = Envelope.FromHeaders(inner.Headers);

        Assert.Equal([MailAddress.GroupStart("undisclosed-recipients"), MailAddress.GroupEnd], envelope.Cc);
        Assert.Equal("<earlier-1@example.net>", envelope.InReplyTo);
        Assert.Equal("Carol", envelope.From[0].Name);
    }

    [Theory]
    [InlineData("<a@example.com>", "a@example.com")]
    [InlineData("  < a@example.com >  ", "a@example.com")]
    [InlineData("<a@example.com> (comment)", "a@example.com")]
    [InlineData("a@example.com", "a@example.com")]
    [InlineData("", null)]
    [InlineData("<>", null)]
    [InlineData("no id here", null)]
    public void Message_id_parses(string value, string? expected)
    {
        Assert.Equal(expected, MessageIdParser.Parse(value));
    }

    [Fact]
    public void References_parse_into_a_list()
    {
        Assert.Equal(["a@x", "b@y", "c@z"], MessageIdParser.ParseList("<a@x> <b@y>\r\n <c@z>"));
    }
}

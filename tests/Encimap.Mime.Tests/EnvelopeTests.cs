namespace Encimap.Mime.Tests;

public class EnvelopeTests
{
    /// <summary>Addresses as "name|route|mailbox|host" with "~" for null, joined by " ; ".</summary>
    private static string Describe(IEnumerable<MailAddress> addresses) => string.Join(" ; ", addresses.Select(a =>
        $"{a.Name ?? "~"}|{a.Route ?? "~"}|{a.Mailbox ?? "~"}|{a.Host ?? "~"}"));

    private static string ToOf(string value) => Describe(Corpus.EnvelopeOf($"To: {value}\r\n\r\n").To);

    [Fact]
    public void Envelope_carries_raw_unfolded_values_and_parsed_addresses()
    {
        var envelope = Envelope.FromHeaders(MessageReader.ReadHeaders(Corpus.Load("thunderbird-mixed-alternative-related-attachment.eml")));

        Assert.Equal("Tue, 14 Nov 2023 09:41:27 +0100", envelope.Date);
        Assert.Equal("=?UTF-8?Q?Quartalsbericht_=E2=80=93_Entwurf_mit_Diagramm?=", envelope.Subject);
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
    public void Envelope_json_is_what_the_previous_parser_stored()
    {
        // messages.envelope rows written before the parser was MimeKit have this form and these values.
        const string stored = """{"date":"Mon, 4 Mar 2024 10:00:00 +0000","subject":"=?UTF-8?Q?a?= =?UTF-8?Q?b?=","from":[{"name":"=?UTF-8?Q?Ren=C3=A9e?=","route":null,"mailbox":"r","host":"example.org"},{"name":"Smith, Anna","route":null,"mailbox":"anna","host":"example.net"}],"sender":[{"name":"=?UTF-8?Q?Ren=C3=A9e?=","route":null,"mailbox":"r","host":"example.org"},{"name":"Smith, Anna","route":null,"mailbox":"anna","host":"example.net"}],"replyTo":[{"name":"=?UTF-8?Q?Ren=C3=A9e?=","route":null,"mailbox":"r","host":"example.org"},{"name":"Smith, Anna","route":null,"mailbox":"anna","host":"example.net"}],"to":[{"name":null,"route":null,"mailbox":"undisclosed-recipients","host":null},{"name":null,"route":null,"mailbox":null,"host":null}],"cc":[],"bcc":[],"inReplyTo":"<x@y>","messageId":"<m@example.com>"}""";
        var envelope = Corpus.EnvelopeOf(
            "From: =?UTF-8?Q?Ren=C3=A9e?= <r@example.org>, \"Smith, Anna\" <anna@example.net>\r\nTo: undisclosed-recipients:;\r\n" +
            "Subject: =?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=\r\nDate: Mon, 4 Mar 2024 10:00:00 +0000\r\nMessage-ID: <m@example.com>\r\nIn-Reply-To: <x@y>\r\n\r\n");

        Assert.Equal(stored, MimeJson.Serialize(envelope));
        Assert.Equal(MimeJson.DeserializeEnvelope(stored), envelope);
    }

    [Fact]
    public void Sender_and_reply_to_default_to_from_when_absent_or_empty()
    {
        var absent = Corpus.EnvelopeOf("From: a@example.com\r\n\r\n");
        var empty = Corpus.EnvelopeOf("From: a@example.com\r\nSender:\r\nReply-To: \r\n\r\n");
        var present = Corpus.EnvelopeOf("From: a@example.com\r\nSender: s@example.com\r\nReply-To: r@example.com\r\n\r\n");

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
        Assert.Equal(new Envelope(null, null, [], [], [], [], [], [], null, null), Envelope.FromHeaders(new MimeKit.HeaderList()));
        Assert.Equal(new Envelope(null, null, [], [], [], [], [], [], null, null), Corpus.EnvelopeOf("This message has no header at all: just text,\r\n"));
    }

    [Fact]
    public void Envelope_of_an_encapsulated_message_keeps_groups_and_in_reply_to()
    {
        var envelope = Corpus.Structure("forwarded-message-rfc822.eml").FindPart("2")!.Envelope!;

        Assert.Equal([MailAddress.GroupStart("undisclosed-recipients"), MailAddress.GroupEnd], envelope.Cc);
        Assert.Equal("<earlier-1@example.net>", envelope.InReplyTo);
        Assert.Equal("Carol", envelope.From[0].Name);
    }

    [Theory]
    [InlineData("Subject: one line\r\n\r\n", "one line")]
    [InlineData("Subject: folded\r\n over two lines\r\n\r\n", "folded over two lines")]
    [InlineData("Subject: folded\r\n\twith a tab\r\n\r\n", "folded\twith a tab")]
    [InlineData("Subject: bare\n  LF folding\n\n", "bare  LF folding")]
    [InlineData("Subject:no space after colon\r\n\r\n", "no space after colon")]
    [InlineData("Subject :  obsolete space before colon  \r\n\r\n", "obsolete space before colon")]
    [InlineData("Subject:\r\n continued on the next line\r\n\r\n", "continued on the next line")]
    [InlineData("Subject: =?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=\r\n\r\n", "=?UTF-8?Q?a?= =?UTF-8?Q?b?=")]
    [InlineData("Subject: \r\n\r\n", "")]
    [InlineData("From someone@example.com Mon Nov 20 10:00:00 2023\nSubject: after an mbox line\n\n", "after an mbox line")]
    public void Subject_is_unfolded_trimmed_and_kept_as_written(string header, string expected)
    {
        Assert.Equal(expected, Corpus.EnvelopeOf(header).Subject);
    }

    [Fact]
    public void Utf8_header_values_are_read_as_utf8_and_hosts_as_written()
    {
        var envelope = Envelope.FromHeaders(MessageReader.ReadHeaders(Corpus.Load("utf8-raw-headers-rfc6532.eml")));

        Assert.Equal("Grüße aus Köln — 你好", envelope.Subject);
        Assert.Equal("bücher.example", envelope.From[0].Host);
        Assert.Equal("例子.中国", envelope.To[0].Host);
        Assert.Equal("xn--mller-kva.example", Assert.Single(Corpus.EnvelopeOf("To: a@xn--mller-kva.example\r\n\r\n").To).Host);
    }

    [Theory]
    [InlineData("user@example.com", "~|~|user|example.com")]
    [InlineData("<user@example.com>", "~|~|user|example.com")]
    [InlineData("John Q. Public <jqp@example.com>", "John Q. Public|~|jqp|example.com")]
    [InlineData("\"Doe, John\" <john@example.com>", "Doe, John|~|john|example.com")]
    [InlineData("\"John \\\"Johnny\\\" Doe\" <john@example.com>", "John \"Johnny\" Doe|~|john|example.com")]
    [InlineData("=?UTF-8?Q?J=C3=BCrgen?= <j@example.de>", "=?UTF-8?Q?J=C3=BCrgen?=|~|j|example.de")]
    [InlineData("\"=?utf-8?B?SsO8cmdlbg==?=\" <j@example.de>", "=?utf-8?B?SsO8cmdlbg==?=|~|j|example.de")]
    [InlineData("Ren=?utf-8?q?=C3=A9e?= Dupont <r@example.org>", "Ren=?utf-8?q?=C3=A9e?= Dupont|~|r|example.org")]
    [InlineData("\"Smith, Anna\" <anna@example.net>, Bob <bob@example.com>", "Smith, Anna|~|anna|example.net ; Bob|~|bob|example.com")]
    // quoted local parts keep their quotes so that mailbox@host stays a valid address
    [InlineData("\"john doe\"@example.com", "~|~|\"john doe\"|example.com")]
    [InlineData("user@[192.0.2.1]", "~|~|user|[192.0.2.1]")]
    [InlineData("john@example.com (John Doe)", "John Doe|~|john|example.com")]
    // groups (RFC 5322 §3.4) as RFC 3501 §7.4.2 brackets them; IMAP cannot nest them
    [InlineData("undisclosed-recipients:;", "~|~|undisclosed-recipients|~ ; ~|~|~|~")]
    [InlineData("Team: a@example.com, B <b@example.com>;", "~|~|Team|~ ; ~|~|a|example.com ; B|~|b|example.com ; ~|~|~|~")]
    [InlineData("Team: a@example.com; c@example.org", "~|~|Team|~ ; ~|~|a|example.com ; ~|~|~|~ ; ~|~|c|example.org")]
    [InlineData("Unterminated group: a@example.com", "~|~|Unterminated group|~ ; ~|~|a|example.com ; ~|~|~|~")]
    [InlineData("Group: Inner: x@y;;", "~|~|Group|~ ; ~|~|x|y ; ~|~|~|~")]
    // obsolete forms (RFC 5322 §4.4)
    [InlineData("<@a.example,@b.example:user@host.example>", "~|@a.example,@b.example|user|host.example")]
    [InlineData("Routed <@relay.example:user@host.example>", "Routed|@relay.example|user|host.example")]
    [InlineData("john . doe @ example . com", "~|~|john.doe|example.com")]
    [InlineData(", , a@example.com, ,", "~|~|a|example.com")]
    // what mailers get wrong
    [InlineData("a@example.com; b@example.org", "~|~|a|example.com ; ~|~|b|example.org")]
    [InlineData("\"A\" <a@example.com>;", "A|~|a|example.com")]
    [InlineData("John Doe <john@example.com", "John Doe|~|john|example.com")]
    [InlineData("user", "~|~|user|")]
    [InlineData("Name <user>", "Name|~|user|")]
    [InlineData("", "")]
    [InlineData("<>", "")]
    public void Address_lists_become_imap_addresses(string value, string expected)
    {
        Assert.Equal(expected, ToOf(value));
    }

    [Theory]
    [InlineData("<<<@@@>>>")]
    [InlineData(":::;;;,,,")]
    [InlineData("\"")]
    [InlineData("(((unclosed comment")]
    [InlineData("[unclosed literal")]
    [InlineData("a@\u0001\u007f@@")]
    [InlineData("<@a,@b:>")]
    [InlineData("\\")]
    [InlineData("=?utf-8?b?====?= <x@y>")]
    public void Garbage_address_lists_never_throw(string value)
    {
        Assert.NotNull(Corpus.EnvelopeOf($"To: {value}\r\n\r\n").To);
    }

    [Fact]
    public void Group_markers_are_recognisable()
    {
        var addresses = Corpus.EnvelopeOf("To: Friends: a@example.com;\r\n\r\n").To;

        Assert.True(addresses[0].IsGroupStart);
        Assert.False(addresses[1].IsGroupStart || addresses[1].IsGroupEnd);
        Assert.Equal("a@example.com", addresses[1].Address);
        Assert.True(addresses[2].IsGroupEnd);
        Assert.Null(addresses[0].Address);
    }
}

using System.Text;

namespace Encimap.Mime.Tests;

public class BodyStructureTests
{
    [Fact]
    public void Text_part_reports_size_lines_and_parameters()
    {
        var message = Corpus.Parse("thunderbird-mixed-alternative-related-attachment.eml");
        var structure = BodyStructure.From(message.Root);
        var plain = structure.FindPart("1.1")!;
        var plainEntity = message.FindPart("1.1")!;

        Assert.Equal(("text", "plain"), (plain.Type, plain.Subtype));
        Assert.Equal(plainEntity.BodyLength, plain.Size);
        Assert.Equal(Encoding.UTF8.GetByteCount("Hallo Jürgen,\r\n\r\nanbei der Entwurf. Das Diagramm ist eingebettet.\r\n\r\nGrüße\r\nRenée\r\n"), plain.Size);
        Assert.Equal(6, plain.Lines);
        Assert.Equal("8bit", plain.Encoding);
        Assert.Equal("UTF-8", plain.Parameters["charset"]);
        Assert.Equal("flowed", plain.Parameters["format"]);
        Assert.Equal(["de-DE", "en-US"], structure.Language!);
    }

    [Fact]
    public void Multipart_and_attachment_fields_are_filled()
    {
        var structure = BodyStructure.From(Corpus.Parse("thunderbird-mixed-alternative-related-attachment.eml").Root);
        var image = structure.FindPart("1.2.2")!;
        var pdf = structure.FindPart("2")!;

        Assert.True(structure.IsMultipart);
        Assert.Equal(("multipart", "mixed"), (structure.Type, structure.Subtype));
        Assert.Equal("------------x0N3b2FzGqJ7tHwYkLd9sVcA", structure.Parameters["boundary"]);
        Assert.Equal(2, structure.Children.Count);
        Assert.Equal("<part1.Xy3kQ9aB.Lm4nO7pR@example.org>", image.Id);
        Assert.Null(image.Lines);
        Assert.Equal("base64", image.Encoding);
        Assert.Equal("inline", image.Disposition!.Kind);
        Assert.Equal("attachment", pdf.Disposition!.Kind);
        Assert.Equal("Quartalsbericht Q3 – Entwurf für die Geschäftsleitung.pdf", pdf.Disposition.Parameters["filename"]);
        Assert.Null(structure.FindPart("3"));
        Assert.Null(structure.FindPart("1.1.1"));
        Assert.Null(structure.FindPart("x"));
    }

    [Fact]
    public void Message_rfc822_carries_envelope_body_and_lines()
    {
        var message = Corpus.Parse("forwarded-message-rfc822.eml");
        var structure = BodyStructure.From(message.Root);
        var forwarded = structure.FindPart("2")!;
        var entity = message.FindPart("2")!;

        Assert.Equal(("message", "rfc822"), (forwarded.Type, forwarded.Subtype));
        Assert.Equal("Lunch on Friday?", forwarded.Envelope!.Subject);
        Assert.Equal(("multipart", "alternative"), (forwarded.Message!.Type, forwarded.Message.Subtype));
        // 19 lines, each ending in CRLF: the CRLF before the outer close delimiter is not the body's.
        Assert.EndsWith("--inner-boundary-2--\r\n", Corpus.Text(entity.RawBody));
        Assert.Equal(19, forwarded.Lines);
        Assert.Same(forwarded.Message.Children[1], structure.FindPart("2.2"));
        // BODY[2.HEADER] and BODY[2.TEXT] come from the encapsulated message's ranges.
        Assert.StartsWith("From: Carol", Encoding.UTF8.GetString(message.Raw.Span.Slice(forwarded.Message.HeaderStart, forwarded.Message.HeaderLength)));
        Assert.EndsWith("\r\n\r\n", Encoding.UTF8.GetString(message.Raw.Span.Slice(forwarded.Message.HeaderStart, forwarded.Message.HeaderLength)));
        Assert.StartsWith("--inner-boundary-2", Encoding.UTF8.GetString(message.Raw.Span.Slice(forwarded.Message.BodyStart, forwarded.Message.BodyLength)));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("one", 1)]
    [InlineData("one\r\n", 1)]
    [InlineData("one\r\ntwo", 2)]
    [InlineData("one\ntwo\n", 2)]
    [InlineData("\r\n\r\n", 2)]
    public void Lines_count_as_imap_counts_them(string body, int lines)
    {
        Assert.Equal(lines, BodyStructure.CountLines(Encoding.ASCII.GetBytes(body)));
    }

    [Fact]
    public void Text_part_without_parameters_reports_us_ascii()
    {
        var structure = BodyStructure.From(Corpus.ParseText("Content-Type: text/plain\r\n\r\nhi").Root);

        Assert.Equal("us-ascii", structure.Parameters["charset"]);
        Assert.Equal(2, structure.Size);
        Assert.Equal(1, structure.Lines);
    }

    [Fact]
    public void Non_multipart_message_is_its_own_part_one()
    {
        var message = Corpus.Parse("plain-text-no-mime-headers.eml");
        var structure = BodyStructure.From(message.Root);

        Assert.Same(message.Root, message.FindPart("1"));
        Assert.Same(structure, structure.FindPart("1"));
        Assert.Null(message.FindPart("2"));
        Assert.Null(message.FindPart("1.1"));
    }

    [Fact]
    public void Json_round_trips_every_corpus_structure_exactly()
    {
        foreach (var name in Corpus.Names)
        {
            var message = Corpus.Parse(name);
            var structure = BodyStructure.From(message.Root);
            var envelope = Envelope.FromHeaders(message.Headers);

            var structureJson = MimeJson.Serialize(structure);
            var envelopeJson = MimeJson.Serialize(envelope);

            Assert.Equal(structure, MimeJson.DeserializeBodyStructure(structureJson));
            Assert.Equal(envelope, MimeJson.DeserializeEnvelope(envelopeJson));
            Assert.Equal(structureJson, MimeJson.Serialize(MimeJson.DeserializeBodyStructure(structureJson)));
        }
    }

    [Fact]
    public void Json_has_stable_property_names()
    {
        var envelope = new Envelope("d", "s", [new MailAddress("N", "@r", "m", "h")], [], [], [], [], [], null, "<id@x>");

        Assert.Equal(
            """{"date":"d","subject":"s","from":[{"name":"N","route":"@r","mailbox":"m","host":"h"}],"sender":[],"replyTo":[],"to":[],"cc":[],"bcc":[],"inReplyTo":null,"messageId":"<id@x>"}""",
            MimeJson.Serialize(envelope));

        var body = BodyStructure.From(Corpus.ParseText("Content-Type: text/plain; charset=utf-8\r\n\r\nhé").Root);
        Assert.Equal(
            """{"type":"text","subtype":"plain","parameters":{"charset":"utf-8"},"id":null,"description":null,"encoding":"7bit","size":3,"lines":1,"md5":null,"disposition":null,"language":null,"location":null,"children":[],"envelope":null,"message":null,"headerStart":0,"headerLength":43,"bodyStart":43,"bodyLength":3}""",
            MimeJson.Serialize(body));
    }

    [Fact]
    public void Json_deserialization_keeps_parameter_names_case_insensitive()
    {
        var body = MimeJson.DeserializeBodyStructure(MimeJson.Serialize(BodyStructure.From(Corpus.Parse("gmail-alternative-with-attachment.eml").Root)));

        Assert.Equal("000000000000a1b2c3060a0b1c2d", body.Parameters["BOUNDARY"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"type\":1}")]
    public void Bad_json_is_a_json_exception(string json)
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => MimeJson.DeserializeBodyStructure(json));
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => MimeJson.DeserializeEnvelope(json));
    }
}

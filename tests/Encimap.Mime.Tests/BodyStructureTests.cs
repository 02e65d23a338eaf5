using System.Text;

namespace Encimap.Mime.Tests;

public class BodyStructureTests
{
    [Fact]
    public void Text_part_reports_size_lines_and_parameters()
    {
        var structure = Corpus.Structure("thunderbird-mixed-alternative-related-attachment.eml");
        var plain = structure.FindPart("1.1")!;

        Assert.Equal(("text", "plain"), (plain.Type, plain.Subtype));
        Assert.Equal(plain.BodyLength, plain.Size);
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
        var structure = Corpus.Structure("thunderbird-mixed-alternative-related-attachment.eml");
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
        var raw = Corpus.Load("forwarded-message-rfc822.eml");
        var structure = BodyStructure.Parse(raw);
        var forwarded = structure.FindPart("2")!;

        Assert.Equal(("message", "rfc822"), (forwarded.Type, forwarded.Subtype));
        Assert.Equal("Lunch on Friday?", forwarded.Envelope!.Subject);
        Assert.Equal(("multipart", "alternative"), (forwarded.Message!.Type, forwarded.Message.Subtype));
        // 19 lines, each ending in CRLF: the CRLF before the outer close delimiter is not the body's.
        Assert.EndsWith("--inner-boundary-2--\r\n", Corpus.Body(raw, forwarded));
        Assert.Equal(19, forwarded.Lines);
        Assert.Same(forwarded.Message.Children[1], structure.FindPart("2.2"));
        // BODY[2.HEADER] and BODY[2.TEXT] come from the encapsulated message's ranges.
        Assert.StartsWith("From: Carol", Corpus.Header(raw, forwarded.Message));
        Assert.EndsWith("\r\n\r\n", Corpus.Header(raw, forwarded.Message));
        Assert.StartsWith("--inner-boundary-2", Corpus.Body(raw, forwarded.Message));
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
        var structure = Corpus.StructureOf("Content-Type: text/plain\r\n\r\nhi");

        Assert.Equal("us-ascii", structure.Parameters["charset"]);
        Assert.Equal(2, structure.Size);
        Assert.Equal(1, structure.Lines);
    }

    [Fact]
    public void Non_multipart_message_is_its_own_part_one()
    {
        var structure = Corpus.Structure("plain-text-no-mime-headers.eml");

        Assert.Same(structure, structure.FindPart("1"));
        Assert.Null(structure.FindPart("2"));
        Assert.Null(structure.FindPart("1.1"));
        Assert.Equal(("text", "plain", "us-ascii", "7bit"), (structure.Type, structure.Subtype, structure.Parameters["charset"], structure.Encoding));
        Assert.Null(structure.Disposition);
    }

    [Fact]
    public void Json_round_trips_every_corpus_structure_exactly()
    {
        foreach (var name in Corpus.Names)
        {
            var raw = Corpus.Load(name);
            var structure = BodyStructure.Parse(raw);
            var envelope = Envelope.FromHeaders(MessageReader.ReadHeaders(raw));

            var structureJson = MimeJson.Serialize(structure);
            var envelopeJson = MimeJson.Serialize(envelope);

            Assert.Equal(structure, MimeJson.DeserializeBodyStructure(structureJson));
            Assert.Equal(envelope, MimeJson.DeserializeEnvelope(envelopeJson));
            Assert.Equal(structureJson, MimeJson.Serialize(MimeJson.DeserializeBodyStructure(structureJson)));
        }
    }

    [Fact]
    public void One_parse_gives_the_envelope_and_structure_the_separate_readers_give()
    {
        foreach (var name in Corpus.Names)
        {
            var raw = Corpus.Load(name);

            var metadata = ImapMetadata.Read(raw);

            Assert.Equal(BodyStructure.Parse(raw), metadata.BodyStructure);
            Assert.Equal(Envelope.FromHeaders(MessageReader.ReadHeaders(raw)), metadata.Envelope);
        }

        Assert.Equal(Envelope.Empty, ImapMetadata.Read("no header here, just text\r\n"u8.ToArray()).Envelope);
    }

    [Fact]
    public void Json_has_stable_property_names()
    {
        var envelope = new Envelope("d", "s", [new MailAddress("N", "@r", "m", "h")], [], [], [], [], [], null, "<id@x>");

        Assert.Equal(
            """{"date":"d","subject":"s","from":[{"name":"N","route":"@r","mailbox":"m","host":"h"}],"sender":[],"replyTo":[],"to":[],"cc":[],"bcc":[],"inReplyTo":null,"messageId":"<id@x>"}""",
            MimeJson.Serialize(envelope));

        var body = Corpus.StructureOf("Content-Type: text/plain; charset=utf-8\r\n\r\nhé");
        Assert.Equal(
            """{"type":"text","subtype":"plain","parameters":{"charset":"utf-8"},"id":null,"description":null,"encoding":"7bit","size":3,"lines":1,"md5":null,"disposition":null,"language":null,"location":null,"children":[],"envelope":null,"message":null,"headerStart":0,"headerLength":43,"bodyStart":43,"bodyLength":3}""",
            MimeJson.Serialize(body));
    }

    [Fact]
    public void Json_deserialization_keeps_parameter_names_case_insensitive()
    {
        var body = MimeJson.DeserializeBodyStructure(MimeJson.Serialize(Corpus.Structure("gmail-alternative-with-attachment.eml")));

        Assert.Equal("000000000000a1b2c3060a0b1c2d", body.Parameters["BOUNDARY"]);
    }

    [Theory]
    [InlineData("Content-Type: text/plain\r\nContent-Transfer-Encoding: BASE64\r\n\r\n", "base64")]
    [InlineData("Content-Transfer-Encoding:  Quoted-Printable (comment)\r\n\r\n", "quoted-printable")]
    [InlineData("Content-Transfer-Encoding:\r\n\r\n", "7bit")]
    [InlineData("X-Other: 1\r\n\r\n", "7bit")]
    [InlineData("Content-Transfer-Encoding: x-unknown\r\n\r\n", "x-unknown")]
    public void Transfer_encoding_is_reported_as_written_in_lower_case(string header, string expected)
    {
        Assert.Equal(expected, Corpus.StructureOf(header + "body").Encoding);
    }

    [Theory]
    [InlineData("Content-Type: garbage")]
    [InlineData("Content-Type: text")]
    [InlineData("Content-Type: /plain")]
    [InlineData("Content-Type: \"text/plain\"")]
    [InlineData("Content-Type: multipart/mixed")]
    [InlineData("Content-Type: multipart/mixed; boundary=never-there")]
    public void Unreadable_or_partless_content_types_are_reported_as_text_plain(string field)
    {
        var structure = Corpus.StructureOf(field + "\r\n\r\nbody\r\n");

        Assert.Equal("text/plain", $"{structure.Type}/{structure.Subtype}");
        Assert.Equal("us-ascii", structure.Parameters["charset"]);
        Assert.Empty(structure.Children);
        Assert.Equal(1, structure.Lines);
    }

    [Theory]
    [InlineData("TEXT/HTML; CHARSET=UTF-8", "text/html", "charset=UTF-8")]
    [InlineData("text/plain; charset=\"iso-8859-1\"; format=flowed; delsp=yes", "text/plain", "charset=iso-8859-1;format=flowed;delsp=yes")]
    [InlineData("text/plain; name=\"a \\\"quoted\\\" name.txt\"", "text/plain", "name=a \"quoted\" name.txt")]
    [InlineData("text/plain; charset=utf-8; charset=latin1", "text/plain", "charset=utf-8")]
    [InlineData("application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", "application/x-stuff", "title=This is ***fun***")]
    [InlineData("message/external-body; access-type=URL; URL*0=\"ftp://\"; URL*1=\"cs.utk.edu/pub/bulk-mailer.tar\"", "message/external-body", "access-type=URL;url=ftp://cs.utk.edu/pub/bulk-mailer.tar")]
    [InlineData("application/pdf; name*1*=Teil%20zwei.pdf; name*0*=utf-8''%C3%9Cbersicht%20", "application/pdf", "name=Übersicht Teil zwei.pdf")]
    [InlineData("application/pdf; name*=iso-8859-1''r%E9sum%E9.pdf", "application/pdf", "name=résumé.pdf")]
    [InlineData("application/pdf; name=\"=?UTF-8?B?0YTQvtGC0L4ucG5n?=\"", "application/pdf", "name==?UTF-8?B?0YTQvtGC0L4ucG5n?=")]
    [InlineData("application/pdf; name==?iso-8859-1?Q?r=E9sum=E9.pdf?=", "application/pdf", "name==?iso-8859-1?Q?r=E9sum=E9.pdf?=")]
    public void Content_type_parameters_are_reported_with_rfc2231_decoded_and_rfc2047_as_written(string value, string mimeType, string parameters)
    {
        var structure = Corpus.StructureOf($"Content-Type: {value}\r\n\r\nbody");

        Assert.Equal(mimeType, $"{structure.Type}/{structure.Subtype}");
        Assert.Equal(parameters, string.Join(";", structure.Parameters.Select(p => $"{p.Key}={p.Value}")));
    }

    [Theory]
    [InlineData("attachment; filename=\"report.pdf\"", "attachment", "report.pdf")]
    [InlineData("INLINE; FILENAME=image.png", "inline", "image.png")]
    [InlineData("attachment; filename*0*=utf-8''Quartalsbericht%20Q3%20%E2%80%93%20; filename*1*=Entwurf.pdf", "attachment", "Quartalsbericht Q3 – Entwurf.pdf")]
    [InlineData("attachment; filename=\"=?UTF-8?B?0YTQvtGC0L4ucG5n?=\"", "attachment", "=?UTF-8?B?0YTQvtGC0L4ucG5n?=")]
    [InlineData("attachment", "attachment", null)]
    public void Content_disposition_is_reported_with_its_kind_in_lower_case(string value, string kind, string? fileName)
    {
        var disposition = Corpus.StructureOf($"Content-Disposition: {value}\r\n\r\nbody").Disposition!;

        Assert.Equal(kind, disposition.Kind);
        Assert.Equal(fileName, disposition.Parameters.GetValueOrDefault("filename"));
    }

    [Fact]
    public void Disposition_without_kind_is_not_reported()
    {
        Assert.Null(Corpus.StructureOf("Content-Disposition: ; filename=x\r\n\r\nbody").Disposition);
    }

    [Fact]
    public void Json_written_before_the_parser_was_mimekit_still_reads()
    {
        // A row as the previous parser stored it (messages.body_structure): the format is unchanged.
        const string stored = """{"type":"application","subtype":"pkcs7-mime","parameters":{"smime-type":"enveloped-data","name":"smime.p7m"},"id":null,"description":null,"encoding":"base64","size":6,"lines":null,"md5":null,"disposition":{"kind":"attachment","parameters":{"filename":"smime.p7m"}},"language":null,"location":null,"children":[],"envelope":null,"message":null,"headerStart":0,"headerLength":220,"bodyStart":220,"bodyLength":6}""";
        var message = "MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n" +
            "Content-Disposition: attachment; filename=smime.p7m\r\nContent-Transfer-Encoding: base64\r\nX-Encimap-Encrypted: at-rest\r\n\r\nAAAA\r\n";

        Assert.Equal(MimeJson.DeserializeBodyStructure(stored), Corpus.StructureOf(message));
        Assert.Equal(stored, MimeJson.Serialize(Corpus.StructureOf(message)));
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

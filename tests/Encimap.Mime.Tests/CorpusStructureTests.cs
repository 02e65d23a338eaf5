namespace Encimap.Mime.Tests;

public class CorpusStructureTests
{
    [Theory]
    [InlineData("thunderbird-mixed-alternative-related-attachment.eml",
        "multipart/mixed[multipart/alternative[text/plain,multipart/related[text/html,image/png]],application/pdf]")]
    [InlineData("apple-mail-alternative-quoted-printable.eml", "multipart/alternative[text/plain,text/html]")]
    [InlineData("outlook-mixed-iso-8859-1-attachment.eml",
        "multipart/mixed[text/plain,application/vnd.openxmlformats-officedocument.wordprocessingml.document]")]
    [InlineData("gmail-alternative-with-attachment.eml", "multipart/mixed[multipart/alternative[text/plain,text/html],image/png]")]
    [InlineData("forwarded-message-rfc822.eml", "multipart/mixed[text/plain,message/rfc822{multipart/alternative[text/plain,text/html]}]")]
    [InlineData("encoded-word-headers-many-charsets.eml", "text/plain")]
    [InlineData("utf8-raw-headers-rfc6532.eml", "text/plain")]
    [InlineData("eight-bit-body-undeclared.eml", "text/plain")]
    [InlineData("multipart-without-boundary.eml", "text/plain")]
    [InlineData("multipart-boundary-never-appears.eml", "text/plain")]
    [InlineData("truncated-inside-attachment.eml", "multipart/mixed[text/plain,application/pdf]")]
    [InlineData("bare-lf-line-endings.eml", "multipart/mixed[text/plain,text/plain]")]
    [InlineData("header-line-1mb.eml", "text/plain")]
    [InlineData("multipart-digest.eml", "multipart/digest[message/rfc822{text/plain},message/rfc822{text/plain}]")]
    [InlineData("plain-text-no-mime-headers.eml", "text/plain")]
    [InlineData("nested-multipart-missing-close-delimiter.eml", "multipart/mixed[multipart/alternative[text/plain,text/html],text/plain]")]
    [InlineData("headers-only-no-body.eml", "text/plain")]
    public void Corpus_message_has_the_expected_part_tree(string name, string expected)
    {
        var structure = Corpus.Structure(name);

        Assert.Equal(expected, Corpus.Describe(structure));
        Corpus.AssertOffsetsWithin(structure, Corpus.Load(name).Length);
    }

    [Fact]
    public void Every_corpus_file_is_covered_by_the_structure_table()
    {
        var covered = typeof(CorpusStructureTests).GetMethod(nameof(Corpus_message_has_the_expected_part_tree))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(data => (string)data.GetData(null!).First()[0]);

        Assert.Equal(Corpus.Names.Order(), covered.Order());
    }

    [Fact]
    public void Thunderbird_parts_have_exact_bodies_and_decoded_content()
    {
        var raw = Corpus.Load("thunderbird-mixed-alternative-related-attachment.eml");
        var structure = BodyStructure.Parse(raw);
        var plain = structure.FindPart("1.1")!;
        var html = structure.FindPart("1.2.1")!;
        var image = structure.FindPart("1.2.2")!;
        var pdf = structure.FindPart("2")!;

        Assert.StartsWith("Hallo Jürgen,\r\n", Corpus.Body(raw, plain));
        Assert.EndsWith("Renée\r\n", Corpus.Body(raw, plain)); // the empty line before the delimiter is the part's last line
        Assert.Equal("flowed", plain.Parameters["format"]);
        Assert.StartsWith("<!DOCTYPE html>", Corpus.Text(Corpus.Decoded(raw, html)));
        Assert.EndsWith("</html>\r\n", Corpus.Body(raw, html));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], Corpus.Decoded(raw, image)[..4]);
        Assert.Equal("inline", image.Disposition!.Kind);
        Assert.Equal("<part1.Xy3kQ9aB.Lm4nO7pR@example.org>", image.Id);
        Assert.Equal("Quartalsbericht Q3 – Entwurf für die Geschäftsleitung.pdf", pdf.Disposition!.Parameters["filename"]);
        Assert.StartsWith("%PDF-1.4", System.Text.Encoding.ASCII.GetString(Corpus.Decoded(raw, pdf)));
    }

    [Fact]
    public void Body_offsets_slice_exactly_the_body_text_and_mime_header()
    {
        var raw = Corpus.Load("bare-lf-line-endings.eml");
        var structure = BodyStructure.Parse(raw);
        var first = structure.Children[0];
        var second = structure.Children[1];

        Assert.Equal("line one\nline two", Corpus.Body(raw, first));
        Assert.Equal("Content-Type: text/plain; charset=us-ascii\n\n", Corpus.Header(raw, first));
        Assert.Equal("soft break", System.Text.Encoding.ASCII.GetString(Corpus.Decoded(raw, second)));
    }

    [Fact]
    public void Quoted_printable_and_iso_8859_1_bodies_decode()
    {
        var apple = Corpus.Load("apple-mail-alternative-quoted-printable.eml");
        var outlook = Corpus.Load("outlook-mixed-iso-8859-1-attachment.eml");
        var appleParts = BodyStructure.Parse(apple).Children;
        var outlookParts = BodyStructure.Parse(outlook).Children;

        Assert.Contains("La réunion de lundi est déplacée à 14h. Merci de confirmer ta présence.", Corpus.Text(Corpus.Decoded(apple, appleParts[0])));
        Assert.EndsWith("</body></html>", Corpus.Text(Corpus.Decoded(apple, appleParts[1])));
        Assert.Contains("Här kommer offerten för årsavtalet. Hör av dig om något är oklart.",
            System.Text.Encoding.Latin1.GetString(Corpus.Decoded(outlook, outlookParts[0])));
        Assert.Equal("=?iso-8859-1?Q?Offert_=E5rsavtal_2024.docx?=", outlookParts[1].Disposition!.Parameters["filename"]);
        Assert.Equal("372", outlookParts[1].Disposition!.Parameters["size"]);
        Assert.Equal(372, Corpus.Decoded(outlook, outlookParts[1]).Length);
    }

    [Fact]
    public void Gmail_base64_text_decodes_and_rfc2047_parameters_stay_as_written()
    {
        var raw = Corpus.Load("gmail-alternative-with-attachment.eml");
        var structure = BodyStructure.Parse(raw);

        Assert.Equal("Привет, Ольга!\n\nФото во вложении.\n", Corpus.Text(Corpus.Decoded(raw, structure.FindPart("1.1")!)));
        Assert.Equal("=?UTF-8?B?0YTQvtGC0L4ucG5n?=", structure.FindPart("2")!.Parameters["name"]);
    }

    [Fact]
    public void Encapsulated_message_has_its_own_header_and_absolute_offsets()
    {
        var raw = Corpus.Load("forwarded-message-rfc822.eml");
        var structure = BodyStructure.Parse(raw);
        var part = structure.FindPart("2")!;
        var inner = part.Message!;

        Assert.Equal(part.BodyStart, inner.HeaderStart);
        Assert.Equal("Lunch on Friday?", part.Envelope!.Subject);
        Assert.Equal("<lunch-456@example.org>", part.Envelope.MessageId);
        Assert.Same(inner.Children[0], structure.FindPart("2.1"));
        Assert.Equal("Are you free for lunch on Friday?", Corpus.Body(raw, structure.FindPart("2.1")!));
        Assert.Equal("<p>Are you free for lunch on Friday?</p>", Corpus.Body(raw, structure.FindPart("2.2")!));
        Assert.StartsWith("From: Carol", Corpus.Header(raw, inner));
        Assert.Null(structure.FindPart("2.3"));
        Assert.Null(structure.FindPart("3"));
    }

    [Fact]
    public void Damaged_messages_give_best_effort_structure()
    {
        var truncatedRaw = Corpus.Load("truncated-inside-attachment.eml");
        var nestedRaw = Corpus.Load("nested-multipart-missing-close-delimiter.eml");
        var noBoundaryRaw = Corpus.Load("multipart-without-boundary.eml");
        var headersOnlyRaw = Corpus.Load("headers-only-no-body.eml");
        var truncated = BodyStructure.Parse(truncatedRaw);
        var nested = BodyStructure.Parse(nestedRaw);
        var noBoundary = BodyStructure.Parse(noBoundaryRaw);
        var headersOnly = BodyStructure.Parse(headersOnlyRaw);

        Assert.StartsWith("%PDF-1.4", System.Text.Encoding.ASCII.GetString(Corpus.Decoded(truncatedRaw, truncated.FindPart("2")!)));
        Assert.Equal(truncatedRaw.Length, truncated.FindPart("2")!.BodyStart + truncated.FindPart("2")!.BodyLength);
        Assert.Equal("<p>inner html</p>", Corpus.Body(nestedRaw, nested.FindPart("1.2")!));
        Assert.Equal("after the inner part", Corpus.Body(nestedRaw, nested.FindPart("2")!));
        Assert.Contains("Text that cannot be split.", Corpus.Body(noBoundaryRaw, noBoundary));
        Assert.Equal(("text", "plain", "us-ascii"), (noBoundary.Type, noBoundary.Subtype, noBoundary.Parameters["charset"]));
        Assert.Equal("Nothing else", Envelope.FromHeaders(MessageReader.ReadHeaders(headersOnlyRaw)).Subject);
        Assert.Equal(0, headersOnly.BodyLength);
        Assert.Equal(headersOnlyRaw.Length, headersOnly.HeaderLength);
    }

    [Fact]
    public void Undeclared_eight_bit_header_text_reads_as_windows_1252()
    {
        var envelope = Envelope.FromHeaders(MessageReader.ReadHeaders(Corpus.Load("eight-bit-body-undeclared.eml")));

        Assert.Equal("Café prices", envelope.Subject);
    }

    [Fact]
    public void Digest_parts_default_to_message_rfc822()
    {
        var raw = Corpus.Load("multipart-digest.eml");
        var structure = BodyStructure.Parse(raw);

        Assert.Equal("First", structure.FindPart("1")!.Envelope!.Subject);
        Assert.Equal("Second message.", Corpus.Body(raw, structure.FindPart("2.1")!));
    }

    [Fact]
    public void Huge_header_line_is_kept_and_the_rest_still_parses()
    {
        var raw = Corpus.Load("header-line-1mb.eml");
        var headers = MessageReader.ReadHeaders(raw);
        var structure = BodyStructure.Parse(raw);

        Assert.Equal(1024 * 1024, RawHeader.Value(headers, "X-Huge")!.Length);
        Assert.Equal("Body after a huge header.\r\n", Corpus.Body(raw, structure));
        Assert.NotNull(RawHeader.Value(headers, "Date"));
    }
}

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
        var message = Corpus.Parse(name);

        Assert.Equal(expected, Corpus.Describe(message.Root));
        Corpus.AssertOffsetsWithin(message);
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
        var message = Corpus.Parse("thunderbird-mixed-alternative-related-attachment.eml");
        var plain = message.FindPart("1.1")!;
        var html = message.FindPart("1.2.1")!;
        var image = message.FindPart("1.2.2")!;
        var pdf = message.FindPart("2")!;

        Assert.StartsWith("Hallo Jürgen,\r\n", Corpus.Text(plain.RawBody));
        Assert.EndsWith("Renée\r\n", Corpus.Text(plain.RawBody)); // the empty line before the delimiter is the part's last line
        Assert.Equal("flowed", plain.ContentType.Parameter("format"));
        Assert.StartsWith("<!DOCTYPE html>", html.DecodeText());
        Assert.EndsWith("</html>\r\n", Corpus.Text(html.RawBody));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], image.DecodeBody()[..4]);
        Assert.Equal("inline", image.Disposition!.Kind);
        Assert.Equal("<part1.Xy3kQ9aB.Lm4nO7pR@example.org>", image.Headers.First("content-id")!.Value);
        Assert.Equal("Quartalsbericht Q3 – Entwurf für die Geschäftsleitung.pdf", pdf.Disposition!.FileName);
        Assert.Equal("Quartalsbericht Q3 – Entwurf für die Geschäftsleitung.pdf", pdf.ContentType.Name);
        Assert.StartsWith("%PDF-1.4", System.Text.Encoding.ASCII.GetString(pdf.DecodeBody()));
        Assert.Equal("This is a multi-part message in MIME format.", Corpus.Text(message.Raw.Slice(message.Root.Preamble.Start, message.Root.Preamble.Length)));
        Assert.Equal("Quartalsbericht – Entwurf mit Diagramm", message.Subject);
    }

    [Fact]
    public void Body_offsets_slice_exactly_the_body_text_and_mime_header()
    {
        var message = Corpus.Parse("bare-lf-line-endings.eml");
        var raw = message.Raw.Span;
        var first = message.Root.Children[0];
        var second = message.Root.Children[1];

        Assert.Equal("line one\nline two", System.Text.Encoding.ASCII.GetString(raw.Slice(first.BodyStart, first.BodyLength)));
        Assert.Equal("Content-Type: text/plain; charset=us-ascii\n\n", Corpus.Text(first.RawHeader));
        Assert.Equal("soft break", System.Text.Encoding.ASCII.GetString(second.DecodeBody()));
        Assert.Equal("preamble line", Corpus.Text(message.Raw.Slice(message.Root.Preamble.Start, message.Root.Preamble.Length)));
        Assert.Equal("epilogue line\n", Corpus.Text(message.Raw.Slice(message.Root.Epilogue.Start, message.Root.Epilogue.Length)));
    }

    [Fact]
    public void Quoted_printable_and_iso_8859_1_bodies_decode()
    {
        var apple = Corpus.Parse("apple-mail-alternative-quoted-printable.eml");
        var outlook = Corpus.Parse("outlook-mixed-iso-8859-1-attachment.eml");

        Assert.Contains("La réunion de lundi est déplacée à 14h. Merci de confirmer ta présence.", apple.Root.Children[0].DecodeText());
        Assert.EndsWith("</body></html>", apple.Root.Children[1].DecodeText());
        Assert.Contains("Här kommer offerten för årsavtalet. Hör av dig om något är oklart.", outlook.Root.Children[0].DecodeText());
        Assert.Equal("Offert årsavtal 2024.docx", outlook.Root.Children[1].Disposition!.FileName);
        Assert.Equal("372", outlook.Root.Children[1].Disposition!.Parameters["size"]);
        Assert.Equal(372, outlook.Root.Children[1].DecodeBody().Length);
    }

    [Fact]
    public void Gmail_base64_text_and_attachment_name_decode()
    {
        var message = Corpus.Parse("gmail-alternative-with-attachment.eml");

        Assert.Equal("Привет из Москвы", message.Subject);
        Assert.Equal("Привет, Ольга!\n\nФото во вложении.\n", message.FindPart("1.1")!.DecodeText());
        Assert.Equal("фото.png", message.FindPart("2")!.Disposition!.FileName);
        Assert.Equal("=?UTF-8?B?0YTQvtGC0L4ucG5n?=", message.FindPart("2")!.ContentType.Parameters["name"]);
    }

    [Fact]
    public void Encapsulated_message_has_its_own_headers_and_absolute_offsets()
    {
        var message = Corpus.Parse("forwarded-message-rfc822.eml");
        var part = message.FindPart("2")!;
        var inner = part.EncapsulatedMessage!;

        Assert.Equal(part.BodyStart, inner.Offset);
        Assert.Equal("Lunch on Friday?", inner.Subject);
        Assert.Equal("lunch-456@example.org", inner.MessageId);
        Assert.Same(inner.Root.Children[0], message.FindPart("2.1"));
        Assert.Equal("Are you free for lunch on Friday?", Corpus.Text(message.FindPart("2.1")!.RawBody));
        Assert.Equal("<p>Are you free for lunch on Friday?</p>", Corpus.Text(message.Raw.Slice(message.FindPart("2.2")!.BodyStart, message.FindPart("2.2")!.BodyLength)));
        Assert.StartsWith("From: Carol", Corpus.Text(inner.Root.RawHeader));
        Assert.Null(message.FindPart("2.3"));
        Assert.Null(message.FindPart("3"));
    }

    [Fact]
    public void Damaged_messages_give_best_effort_structure()
    {
        var truncated = Corpus.Parse("truncated-inside-attachment.eml");
        var nested = Corpus.Parse("nested-multipart-missing-close-delimiter.eml");
        var noBoundary = Corpus.Parse("multipart-without-boundary.eml");
        var headersOnly = Corpus.Parse("headers-only-no-body.eml");

        Assert.StartsWith("%PDF-1.4", System.Text.Encoding.ASCII.GetString(truncated.FindPart("2")!.DecodeBody()));
        Assert.Equal(truncated.Raw.Length, truncated.FindPart("2")!.BodyStart + truncated.FindPart("2")!.BodyLength);
        Assert.Equal("<p>inner html</p>", Corpus.Text(nested.FindPart("1.2")!.RawBody));
        Assert.Equal("after the inner part", Corpus.Text(nested.FindPart("2")!.RawBody));
        Assert.Contains("Text that cannot be split.", noBoundary.Root.DecodeText());
        Assert.Equal("multipart/mixed", ContentType.Parse(noBoundary.Headers.First("Content-Type")!.RawValue)!.MimeType);
        Assert.Equal("Nothing else", headersOnly.Subject);
        Assert.Equal(0, headersOnly.Root.BodyLength);
        Assert.Equal(headersOnly.Raw.Length, headersOnly.Root.HeaderLength);
    }

    [Fact]
    public void Undeclared_eight_bit_text_reads_as_windows_1252()
    {
        var message = Corpus.Parse("eight-bit-body-undeclared.eml");

        Assert.Equal("Café prices", message.Subject);
        Assert.Equal("Café crème: 3,50 €\r\nNaïve résumé.\r\n", message.Root.DecodeText());
        Assert.Equal(new DateTimeOffset(2023, 11, 13, 10, 0, 0, TimeSpan.Zero), message.Date);
    }

    [Fact]
    public void Digest_parts_default_to_message_rfc822()
    {
        var message = Corpus.Parse("multipart-digest.eml");

        Assert.Equal("First", message.FindPart("1")!.EncapsulatedMessage!.Subject);
        Assert.Equal("Second message.", Corpus.Text(message.FindPart("2.1")!.RawBody));
    }

    [Fact]
    public void Huge_header_line_is_kept_raw_and_the_rest_still_parses()
    {
        var message = Corpus.Parse("header-line-1mb.eml");

        Assert.Equal(1024 * 1024 + "X-Huge: ".Length, message.Headers.First("X-Huge")!.RawField.Length);
        Assert.Equal(MimeParserOptions.Default.MaxLineLength - 1, message.Headers.First("X-Huge")!.RawValue.Length);
        Assert.Equal("Body after a huge header.\r\n", Corpus.Text(message.Root.RawBody));
        Assert.NotNull(message.Date);
    }
}

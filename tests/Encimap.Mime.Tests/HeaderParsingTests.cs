using System.Text;

namespace Encimap.Mime.Tests;

public class HeaderParsingTests
{
    [Theory]
    [InlineData("Subject: one line\r\n\r\n", "one line")]
    [InlineData("Subject: folded\r\n over two lines\r\n\r\n", "folded over two lines")]
    [InlineData("Subject: folded\r\n\twith a tab\r\n\r\n", "folded\twith a tab")]
    [InlineData("Subject: bare\n  LF folding\n\n", "bare  LF folding")]
    [InlineData("Subject:no space after colon\r\n\r\n", "no space after colon")]
    [InlineData("Subject :  obsolete space before colon  \r\n\r\n", "obsolete space before colon")]
    [InlineData("Subject:\r\n continued on the next line\r\n\r\n", "continued on the next line")]
    [InlineData("Subject: \r\n\r\n", "")]
    public void Field_values_are_unfolded_and_trimmed(string header, string expected)
    {
        var message = Corpus.ParseText(header + "body");

        Assert.Equal(expected, message.Headers.First("subject")!.RawValue);
        Assert.Equal("body", Corpus.Text(message.Root.RawBody));
    }

    [Fact]
    public void Raw_field_is_byte_exact_with_folding_and_without_the_final_line_break()
    {
        const string text = "To: a@example.com,\r\n\tb@example.com\r\nSubject: x\r\n\r\n";
        var message = Corpus.ParseText(text);

        Assert.Equal("To: a@example.com,\r\n\tb@example.com", Corpus.Text(message.Headers[0].RawField));
        Assert.Equal("Subject: x", Corpus.Text(message.Headers[1].RawField));
        Assert.Equal(text.Length, message.Root.HeaderLength);
        Assert.Equal(text, Corpus.Text(message.Root.RawHeader));
    }

    [Fact]
    public void Names_compare_case_insensitively_and_repeat_in_order()
    {
        var message = Corpus.ParseText("Received: one\r\nRECEIVED: two\r\nreceived: three\r\nX-Other: y\r\n\r\n");

        Assert.Equal(["one", "two", "three"], message.Headers.All("Received").Select(h => h.Value));
        Assert.Equal("one", message.Headers.First("rEcEiVeD")!.Value);
        Assert.Equal("RECEIVED", message.Headers[1].Name);
        Assert.Null(message.Headers.First("Missing"));
        Assert.Equal(4, message.Headers.Count);
    }

    [Fact]
    public void Utf8_header_values_are_read_as_utf8()
    {
        var message = Corpus.Parse("utf8-raw-headers-rfc6532.eml");

        Assert.Equal("Grüße aus Köln — 你好", message.Subject);
        Assert.Equal("李雷 <lilei@例子.中国>", message.Headers.First("To")!.Value);
        Assert.Equal("bücher.example", AddressParser.Parse(message.Headers.First("From")!.RawValue)[0].Host);
    }

    [Fact]
    public void A_line_that_is_no_field_ends_the_header_and_starts_the_body()
    {
        var message = Corpus.ParseText("Subject: x\r\nthis is not a header\r\nmore body\r\n");

        Assert.Single(message.Headers);
        Assert.Equal("this is not a header\r\nmore body\r\n", Corpus.Text(message.Root.RawBody));
        Assert.Equal("Subject: x\r\n", Corpus.Text(message.Root.RawHeader));
    }

    [Fact]
    public void An_mbox_from_line_before_the_header_is_skipped()
    {
        var message = Corpus.ParseText("From someone@example.com Mon Nov 20 10:00:00 2023\nFrom: someone@example.com\nSubject: mbox\n\nbody\n");

        Assert.Equal(["From", "Subject"], message.Headers.Select(h => h.Name));
        Assert.Equal(0, message.Root.HeaderStart);
        Assert.Equal("body\n", Corpus.Text(message.Root.RawBody));
    }

    [Fact]
    public void Continuation_line_without_a_field_is_ignored()
    {
        var message = Corpus.ParseText("  stray continuation\r\nSubject: kept\r\n\r\nbody");

        Assert.Equal("kept", message.Subject);
        Assert.Single(message.Headers);
    }

    [Fact]
    public void Header_count_beyond_the_limit_stays_raw_but_is_not_listed()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 50; i++) text.Append($"X-Field-{i}: {i}\r\n");
        text.Append("\r\nbody");

        var message = Corpus.ParseText(text.ToString(), new MimeParserOptions { MaxHeaders = 10 });

        Assert.Equal(10, message.Headers.Count);
        Assert.Equal("body", Corpus.Text(message.Root.RawBody));
    }

    [Fact]
    public void Missing_content_type_is_text_plain_us_ascii_and_transfer_encoding_7bit()
    {
        var message = Corpus.Parse("plain-text-no-mime-headers.eml");

        Assert.Equal(ContentType.Default, message.Root.ContentType);
        Assert.Equal("us-ascii", message.Root.ContentType.Charset);
        Assert.Equal("7bit", message.Root.TransferEncoding);
        Assert.Null(message.Root.Disposition);
    }

    [Theory]
    [InlineData("Content-Transfer-Encoding: BASE64", "base64")]
    [InlineData("Content-Transfer-Encoding:  Quoted-Printable (comment)", "quoted-printable")]
    [InlineData("Content-Transfer-Encoding:", "7bit")]
    [InlineData("X-Other: 1", "7bit")]
    public void Transfer_encoding_is_normalized(string field, string expected)
    {
        Assert.Equal(expected, Corpus.ParseText(field + "\r\n\r\nbody").Root.TransferEncoding);
    }
}

using System.Text;

namespace Encimap.Mime.Tests;

/// <summary>Header fields as written, which IMAP reports and the intake copies into the outer header.</summary>
public class RawHeaderTests
{
    private static MimeKit.HeaderList Headers(string text) => MessageReader.ReadHeaders(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Field_is_byte_exact_with_folding_and_without_the_final_line_break()
    {
        var headers = Headers("To: a@example.com,\r\n\tb@example.com\r\nSubject : x\r\nX-Bare: lf\n\n");

        Assert.Equal("To: a@example.com,\r\n\tb@example.com", Corpus.Text(RawHeader.Field(headers[0])));
        Assert.Equal("Subject : x", Corpus.Text(RawHeader.Field(headers[1])));
        Assert.Equal("X-Bare: lf", Corpus.Text(RawHeader.Field(headers[2])));
    }

    [Fact]
    public void Names_compare_case_insensitively_and_the_first_counts()
    {
        var headers = Headers("Received: one\r\nRECEIVED: two\r\nX-Other: y\r\n\r\n");

        Assert.Equal("one", RawHeader.Value(headers, "rEcEiVeD"));
        Assert.Null(RawHeader.Value(headers, "Missing"));
    }

    [Fact]
    public void Eight_bit_text_reads_as_utf8_or_else_windows_1252()
    {
        var utf8 = MessageReader.ReadHeaders(Encoding.UTF8.GetBytes("Subject: Grüße €\r\n\r\n"));
        var legacy = MessageReader.ReadHeaders(Encoding.GetEncoding("iso-8859-1").GetBytes("Subject: Café\r\n\r\n").Concat(new byte[] { 0x80 }).ToArray());

        Assert.Equal("Grüße €", RawHeader.Value(utf8, "Subject"));
        Assert.StartsWith("Café", RawHeader.Value(legacy, "Subject"));
    }

    [Fact]
    public void Text_that_is_no_header_has_no_fields()
    {
        Assert.Empty(Headers("This message has no header at all: just text,\r\nand a second line.\r\n"));
        Assert.Empty(Headers(""));
    }

    [Fact]
    public void A_stray_continuation_line_or_mbox_separator_before_the_header_is_skipped()
    {
        Assert.Equal("kept", RawHeader.Value(Headers("  stray continuation\r\nSubject: kept\r\n\r\nbody"), "Subject"));
        Assert.Equal("mbox", RawHeader.Value(Headers("From someone@example.com Mon Nov 20 10:00:00 2023\nSubject: mbox\n\nbody\n"), "Subject"));
    }

    [Fact]
    public void Headers_are_read_from_a_stream_up_to_the_end_of_the_header()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes("From: a@example.com\r\nSubject: streamed\r\n\r\n" + new string('x', 100_000)));

        var headers = MessageReader.ReadHeaders(stream);

        Assert.Equal(["From", "Subject"], headers.Select(h => h.Field));
        Assert.Equal("streamed", RawHeader.Value(headers, "Subject"));
    }
}

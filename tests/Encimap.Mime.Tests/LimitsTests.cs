using System.Diagnostics;
using System.Text;

namespace Encimap.Mime.Tests;

/// <summary>Hostile shapes complete quickly, without exception, within the configured bounds.</summary>
public class LimitsTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    private static BodyStructure ParseWithin(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var clock = Stopwatch.StartNew();
        var structure = BodyStructure.Parse(bytes);
        MimeJson.DeserializeBodyStructure(MimeJson.Serialize(structure));
        Envelope.FromHeaders(MessageReader.ReadHeaders(bytes));
        Assert.True(clock.Elapsed < Budget, $"took {clock.Elapsed}");
        Corpus.AssertOffsetsWithin(structure, bytes.Length);
        return structure;
    }

    private static int TreeDepth(BodyStructure body) =>
        1 + Math.Max(
            body.Children.Select(TreeDepth).DefaultIfEmpty(0).Max(),
            body.Message is { } inner ? TreeDepth(inner) : 0);

    [Fact]
    public void Thousand_nested_multiparts_stop_at_the_depth_limit()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 1000; i++) text.Append($"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
        text.Append("Content-Type: text/plain\r\n\r\ninnermost\r\n");
        for (var i = 999; i >= 0; i--) text.Append($"--b{i}--\r\n");

        var structure = ParseWithin(text.ToString());

        Assert.InRange(TreeDepth(structure), 2, MessageReader.MaxDepth + 1);
    }

    [Fact]
    public void Thousand_nested_messages_stop_at_the_depth_limit()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 1000; i++) text.Append($"Subject: level {i}\r\nContent-Type: message/rfc822\r\n\r\n");
        text.Append("Subject: innermost\r\n\r\nbody\r\n");

        var structure = ParseWithin(text.ToString());

        Assert.InRange(TreeDepth(structure), 2, MessageReader.MaxDepth + 1);
    }

    [Fact]
    public void Hundred_thousand_header_fields_parse_quickly()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 100_000; i++) text.Append($"X-Header-{i}: value {i}\r\n");
        text.Append("Subject: after them all\r\n\r\nbody");

        var structure = ParseWithin(text.ToString());

        Assert.Equal("body", Corpus.Body(Encoding.UTF8.GetBytes(text.ToString()), structure));
    }

    [Fact]
    public void Megabyte_header_lines_of_every_kind_parse_quickly()
    {
        var addresses = string.Join(", ", Enumerable.Range(0, 40_000).Select(i => $"\"User {i}\" <u{i}@example.com>"));
        var words = string.Concat(Enumerable.Repeat("=?UTF-8?B?w6k=?= ", 60_000));
        var parameters = string.Concat(Enumerable.Range(0, 50_000).Select(i => $"; p{i}*{i % 100}*=utf-8''%C3%A9"));
        var text = $"To: {addresses}\r\nSubject: {words}\r\nContent-Type: text/plain{parameters}\r\nDate: {new string('1', 1_000_000)}\r\n\r\nbody";

        var structure = ParseWithin(text);

        Assert.Equal("text", structure.Type);
        Assert.Equal(40_000, Corpus.EnvelopeOf(text).To.Count);
    }

    [Fact]
    public void Huge_line_without_line_breaks_parses()
    {
        var structure = ParseWithin("Content-Type: multipart/mixed; boundary=x\r\n\r\n" + new string('-', 2_000_000));

        Assert.Equal("text/plain", $"{structure.Type}/{structure.Subtype}");
    }

    [Fact]
    public void Part_count_is_bounded()
    {
        var text = "Content-Type: multipart/mixed; boundary=x\r\n\r\n" + string.Concat(Enumerable.Repeat("--x\r\n\r\n", 50_000));

        var structure = ParseWithin(text);

        Assert.InRange(Corpus.AllParts(structure).Count(), 2, BodyStructureReader.MaxParts);
    }

    [Fact]
    public void Empty_and_tiny_inputs_parse()
    {
        foreach (var text in new[] { "", "\r\n", "\n", ":", "a", "\r", "--", "From ", "Content-Type: multipart/mixed; boundary=a\n\n--a--" })
        {
            Assert.NotNull(ParseWithin(text));
        }
    }
}

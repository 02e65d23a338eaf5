using System.Diagnostics;
using System.Text;

namespace Encimap.Mime.Tests;

/// <summary>Hostile shapes complete quickly, without exception, within the configured bounds.</summary>
public class LimitsTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    private static MimeMessage ParseWithin(string text, MimeParserOptions? options = null)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var clock = Stopwatch.StartNew();
        var message = MimeMessage.Parse(bytes, options);
        var structure = BodyStructure.From(message.Root);
        MimeJson.DeserializeBodyStructure(MimeJson.Serialize(structure));
        Envelope.FromHeaders(message.Headers);
        Assert.True(clock.Elapsed < Budget, $"took {clock.Elapsed}");
        Corpus.AssertOffsetsWithin(message);
        return message;
    }

    private static int TreeDepth(MimeEntity entity) =>
        1 + Math.Max(
            entity.Children.Select(TreeDepth).DefaultIfEmpty(0).Max(),
            entity.EncapsulatedMessage is { } inner ? TreeDepth(inner.Root) : 0);

    [Fact]
    public void Thousand_nested_multiparts_stop_at_the_depth_limit()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 1000; i++) text.Append($"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
        text.Append("Content-Type: text/plain\r\n\r\ninnermost\r\n");
        for (var i = 999; i >= 0; i--) text.Append($"--b{i}--\r\n");

        var message = ParseWithin(text.ToString());

        Assert.Equal(MimeParserOptions.Default.MaxDepth + 1, TreeDepth(message.Root));
    }

    [Fact]
    public void Thousand_nested_messages_stop_at_the_depth_limit()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 1000; i++) text.Append($"Subject: level {i}\r\nContent-Type: message/rfc822\r\n\r\n");
        text.Append("Subject: innermost\r\n\r\nbody\r\n");

        var message = ParseWithin(text.ToString(), new MimeParserOptions { MaxDepth = 10 });

        Assert.Equal(11, TreeDepth(message.Root));
    }

    [Fact]
    public void Depth_limit_cannot_be_raised_past_what_the_stack_allows()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 100_000; i++) text.Append("Content-Type: message/rfc822\n\n");

        var message = ParseWithin(text.ToString(), new MimeParserOptions { MaxDepth = int.MaxValue });

        Assert.True(TreeDepth(message.Root) <= 257);
    }

    [Fact]
    public void Hundred_thousand_header_fields_are_bounded()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 100_000; i++) text.Append($"X-Header-{i}: value {i}\r\n");
        text.Append("Subject: after them all\r\n\r\nbody");

        var message = ParseWithin(text.ToString());

        Assert.Equal(MimeParserOptions.Default.MaxHeaders, message.Headers.Count);
        Assert.Equal("body", Corpus.Text(message.Root.RawBody));
    }

    [Fact]
    public void Megabyte_header_lines_of_every_kind_parse_quickly()
    {
        var addresses = string.Join(", ", Enumerable.Range(0, 40_000).Select(i => $"\"User {i}\" <u{i}@example.com>"));
        var words = string.Concat(Enumerable.Repeat("=?UTF-8?B?w6k=?= ", 60_000));
        var parameters = string.Concat(Enumerable.Range(0, 50_000).Select(i => $"; p{i}*{i % 100}*=utf-8''%C3%A9"));
        var text = $"To: {addresses}\r\nSubject: {words}\r\nContent-Type: text/plain{parameters}\r\nDate: {new string('1', 1_000_000)}\r\n\r\nbody";

        var message = ParseWithin(text);

        Assert.NotEmpty(message.Root.ContentType.Parameters);
        Assert.NotNull(message.Subject);
        Assert.Null(message.Date);
    }

    [Fact]
    public void Huge_line_without_line_breaks_parses()
    {
        var message = ParseWithin("Content-Type: multipart/mixed; boundary=x\r\n\r\n" + new string('-', 2_000_000));

        Assert.Equal("text/plain", message.Root.ContentType.MimeType);
    }

    [Fact]
    public void Part_count_is_bounded()
    {
        var text = "Content-Type: multipart/mixed; boundary=x\r\n\r\n" + string.Concat(Enumerable.Repeat("--x\r\n", 200_000));

        var message = ParseWithin(text, new MimeParserOptions { MaxParts = 1000 });

        Assert.True(Corpus.AllEntities(message.Root).Count() <= 1000);
        Assert.Equal(message.Raw.Length, message.Root.Children[^1].BodyStart + message.Root.Children[^1].BodyLength);
    }

    [Fact]
    public void Empty_and_tiny_inputs_parse()
    {
        foreach (var text in new[] { "", "\r\n", "\n", ":", "a", "\r", "--", "From ", "Content-Type: multipart/mixed; boundary=a\n\n--a--" })
        {
            var message = ParseWithin(text);
            Assert.NotNull(message.Root);
        }
    }
}

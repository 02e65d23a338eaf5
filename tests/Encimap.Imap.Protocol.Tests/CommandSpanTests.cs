using System.Collections.Concurrent;
using System.Diagnostics;

namespace Encimap.Imap.Protocol.Tests;

/// <summary>Each command is one span named after it, with the mailbox and message count, never its arguments.</summary>
public sealed class CommandSpanTests : IDisposable
{
    // Tests run in parallel: only spans started in this test's execution context (which the
    // session's task inherits) are collected.
    private static readonly AsyncLocal<CommandSpanTests?> Owner = new();
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public CommandSpanTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ImapCommandSpan.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Owner.Value == this)
                {
                    _spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Commands_are_spans_with_mailbox_and_count_and_refusals_are_errors()
    {
        Owner.Value = this;
        var store = new MemoryStore();
        store.Deliver("INBOX", "Subject: one\r\n\r\n1\r\n");
        store.Deliver("INBOX", "Subject: two\r\n\r\n2\r\n");
        store.Deliver("INBOX", "Subject: three\r\n\r\n3\r\n");
        await using (var client = new Transcript(store))
        {
            await client.Exchange("a1 LOGIN fred secret");
            await client.Exchange("a2 SELECT INBOX");
            await client.Exchange("a3 FETCH 2:* (FLAGS BODY.PEEK[])");
            await client.Exchange("a4 UID STORE 1 +FLAGS (\\Seen)");
            await client.Exchange("a5 SELECT Nowhere");
            await client.Exchange("a6 LOGOUT");
        }

        var spans = _spans.ToList();
        Assert.Equal(["IMAP LOGIN", "IMAP SELECT", "IMAP FETCH", "IMAP UID STORE", "IMAP SELECT", "IMAP LOGOUT"], spans.Select(s => s.DisplayName));
        Assert.All(spans, s => Assert.Equal(ActivityKind.Server, s.Kind));

        var fetch = spans[2];
        Assert.Equal("INBOX", fetch.GetTagItem("imap.mailbox"));
        Assert.Equal(2, fetch.GetTagItem("imap.messages"));
        Assert.Equal("OK", fetch.GetTagItem("imap.status"));
        Assert.Equal(ActivityStatusCode.Unset, fetch.Status);
        Assert.Equal(3, spans[1].GetTagItem("imap.messages"));
        Assert.Equal(1, spans[3].GetTagItem("imap.messages"));

        var missing = spans[4];
        Assert.Equal(ActivityStatusCode.Error, missing.Status);
        Assert.Equal("NO", missing.GetTagItem("imap.status"));
        Assert.Null(missing.GetTagItem("imap.mailbox"));

        // Neither the password nor the username nor any content appears in a span.
        var text = string.Join(" ", spans.SelectMany(s => s.TagObjects.Select(t => $"{t.Key}={t.Value}").Append(s.DisplayName).Append(s.StatusDescription ?? "")));
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("fred", text, StringComparison.Ordinal);
        Assert.DoesNotContain("two", text, StringComparison.Ordinal);
    }
}

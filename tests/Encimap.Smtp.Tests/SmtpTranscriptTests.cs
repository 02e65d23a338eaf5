using System.Net;
using System.Text;
using Encimap.Smtp;

namespace Encimap.Smtp.Tests;

/// <summary>Whole sessions against a real listener on loopback, driven line by line over a socket.</summary>
public sealed class SmtpTranscriptTests
{
    private static async Task<(SmtpServer Server, InMemoryBackends Backends)> StartAsync(Action<SmtpServerOptions>? configure = null)
    {
        var options = new SmtpServerOptions
        {
            Name = "test",
            HostName = "mx.test.example",
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            TlsCertificate = TestCertificate.Certificate,
            MaxConnectionsPerIp = 0,
            MaxConnectionRatePerIp = 0,
        };
        configure?.Invoke(options);
        var backends = new InMemoryBackends();
        var server = new SmtpServer(options, backends.Backends);
        server.Start();
        await Task.CompletedTask;
        return (server, backends);
    }

    private static async Task<SmtpTestPeer> GreetedAsync(SmtpServer server)
    {
        var peer = await SmtpTestPeer.ConnectAsync(server.EndPoint);
        await peer.ExpectAsync(220);
        await peer.SendAsync("EHLO client.example\r\n");
        await peer.ReadReplyAsync();
        return peer;
    }

    [Fact]
    public async Task EhloAdvertisesTheExtensions()
    {
        var (server, _) = await StartAsync();
        await using var _s = server;
        await using var peer = await SmtpTestPeer.ConnectAsync(server.EndPoint);
        Assert.StartsWith("220 mx.test.example ESMTP", await peer.ExpectAsync(220));
        await peer.SendAsync("EHLO client.example\r\n");
        var lines = (await peer.ReadReplyAsync()).Select(l => l[4..]).ToList();
        Assert.Equal("mx.test.example", lines[0]);
        foreach (var keyword in new[] { "PIPELINING", "SIZE 36700160", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "STARTTLS" })
        {
            Assert.Contains(keyword, lines);
        }

        Assert.DoesNotContain(lines, l => l.StartsWith("AUTH", StringComparison.Ordinal));
        await peer.CommandAsync("VRFY alice", 252, "2.0.0");
        await peer.CommandAsync("EXPN staff", 502, "5.5.1");
        await peer.CommandAsync("HELP", 214, "2.0.0");
        await peer.CommandAsync("NOOP", 250, "2.0.0");
        await peer.CommandAsync("RSET", 250, "2.0.0");
        await peer.CommandAsync("QUIT", 221, "2.0.0");
        Assert.True(await peer.IsClosedAsync());
    }

    [Fact]
    public async Task DataIsUnstuffedAndStoredByteForByte()
    {
        var (server, backends) = await StartAsync();
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.CommandAsync("MAIL FROM:<sender@remote.example>", 250, "2.1.0");
        await peer.CommandAsync("RCPT TO:<alice@example.org>", 250, "2.1.5");
        await peer.CommandAsync("DATA", 354);
        await peer.SendAsync("Subject: dots\r\n\r\n..leading dot\r\n..\r\n...\r\nend\r\n.\r\n");
        await peer.ExpectAsync(250, "2.0.0");
        var (envelope, message, session) = Assert.Single(backends.Delivered);
        Assert.Equal("Subject: dots\r\n\r\n.leading dot\r\n.\r\n..\r\nend\r\n", Encoding.ASCII.GetString(message));
        Assert.Equal("sender@remote.example", envelope.ReversePath);
        Assert.Equal(["alice@example.org"], envelope.Recipients);
        Assert.Equal("client.example", session.HeloName);
        Assert.Equal("ESMTP", session.ReceivedProtocol(envelope.SmtpUtf8));
    }

    [Fact]
    public async Task PipelinedCommandsAreAnsweredInOrder()
    {
        var (server, backends) = await StartAsync();
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.SendAsync("MAIL FROM:<>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<nobody@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
        await peer.ExpectAsync(250, "2.1.0");
        await peer.ExpectAsync(250, "2.1.5");
        await peer.ExpectAsync(550, "5.1.1");
        await peer.ExpectAsync(250, "2.1.5");
        await peer.ExpectAsync(354);
        await peer.SendAsync("Subject: p\r\n\r\nbody\r\n.\r\nMAIL FROM:<x@remote.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
        await peer.ExpectAsync(250, "2.0.0");
        await peer.ExpectAsync(250, "2.1.0");
        await peer.ExpectAsync(250, "2.1.5");
        await peer.ExpectAsync(354);
        await peer.SendAsync("Subject: q\r\n\r\nsecond\r\n.\r\nQUIT\r\n");
        await peer.ExpectAsync(250);
        await peer.ExpectAsync(221);
        Assert.Equal(2, backends.Delivered.Count);
        Assert.Equal(["alice@example.org", "bob@example.org"], backends.Delivered.First().Envelope.Recipients);
    }

    [Fact]
    public async Task BdatChunksMakeOneMessage()
    {
        var (server, backends) = await StartAsync();
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.CommandAsync("MAIL FROM:<sender@remote.example> BODY=8BITMIME", 250);
        await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
        var first = "Subject: chunks\r\n\r\n.not stuffed\r\n"u8.ToArray();
        await peer.SendAsync(Encoding.ASCII.GetBytes($"BDAT {first.Length}\r\n").Concat(first).ToArray());
        await peer.ExpectAsync(250, "2.0.0");
        // A second chunk pipelined with BDAT LAST and QUIT.
        var last = "end\r\n"u8.ToArray();
        await peer.SendAsync(Encoding.ASCII.GetBytes($"BDAT {last.Length} LAST\r\n").Concat(last).Concat("QUIT\r\n"u8.ToArray()).ToArray());
        await peer.ExpectAsync(250, "2.0.0");
        await peer.ExpectAsync(221);
        var (_, message, _) = Assert.Single(backends.Delivered);
        Assert.Equal("Subject: chunks\r\n\r\n.not stuffed\r\nend\r\n", Encoding.ASCII.GetString(message));
    }

    [Fact]
    public async Task BdatWithoutTransactionIsRefusedAndItsDataSkipped()
    {
        var (server, backends) = await StartAsync();
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.SendAsync("BDAT 6\r\nNOOP\r\nNOOP\r\n");
        await peer.ExpectAsync(503, "5.5.1");
        await peer.ExpectAsync(250, "2.0.0");
        Assert.Empty(backends.Delivered);
    }

    [Theory]
    [InlineData("Subject: s\r\n\r\nhello\n.\nMAIL FROM:<evil@remote.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n", "<LF>")]
    [InlineData("Subject: s\r\n\r\nhello\r\n.\nMAIL FROM:<evil@remote.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n", "<LF>")]
    [InlineData("Subject: s\r\n\r\nhello\n.\r\nMAIL FROM:<evil@remote.example>\r\n", "<LF>")]
    [InlineData("Subject: s\r\n\r\nhello\r.\r\nMAIL FROM:<evil@remote.example>\r\n", "<CR>")]
    [InlineData("Subject: s\r\n\r\nbare lf inside a line\nmore\r\n.\r\n", "<LF>")]
    public async Task BareLineBreaksInDataAreRefusedAndTheConnectionClosed(string content, string what)
    {
        var (server, backends) = await StartAsync();
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.CommandAsync("MAIL FROM:<sender@remote.example>", 250);
        await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
        await peer.CommandAsync("DATA", 354);
        await peer.SendAsync(content);
        Assert.Contains($"bare {what} received", await peer.ExpectAsync(521, "5.5.2"));
        Assert.True(await peer.IsClosedAsync());
        Assert.Empty(backends.Delivered);
    }

    [Fact]
    public async Task BareLineFeedInBdatIsRefused()
    {
        var (server, backends) = await StartAsync();
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.CommandAsync("MAIL FROM:<sender@remote.example>", 250);
        await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
        var chunk = "Subject: s\r\n\r\nx\n.\n"u8.ToArray();
        await peer.SendAsync(Encoding.ASCII.GetBytes($"BDAT {chunk.Length} LAST\r\n").Concat(chunk).ToArray());
        await peer.ExpectAsync(521, "5.5.2");
        Assert.True(await peer.IsClosedAsync());
        Assert.Empty(backends.Delivered);
    }

    [Fact]
    public async Task BareLineFeedAfterACommandIsRefused()
    {
        var (server, _) = await StartAsync();
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.SendAsync("NOOP\n");
        await peer.ExpectAsync(521, "5.5.2");
        Assert.True(await peer.IsClosedAsync());
    }

    [Fact]
    public async Task OversizeMessagesAreRefusedWith552()
    {
        var (server, backends) = await StartAsync(o => o.MaxMessageSize = 1000);
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.CommandAsync("MAIL FROM:<sender@remote.example> SIZE=2000", 552, "5.3.4");

        await peer.CommandAsync("MAIL FROM:<sender@remote.example>", 250);
        await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
        await peer.CommandAsync("DATA", 354);
        await peer.SendAsync("Subject: big\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('x', 98) + "\r\n", 20)) + ".\r\n");
        await peer.ExpectAsync(552, "5.3.4");

        await peer.CommandAsync("MAIL FROM:<sender@remote.example>", 250);
        await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
        var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(new string('y', 98) + "\r\n", 20)));
        await peer.SendAsync(Encoding.ASCII.GetBytes($"BDAT {chunk.Length} LAST\r\n").Concat(chunk).ToArray());
        await peer.ExpectAsync(552, "5.3.4");
        await peer.CommandAsync("NOOP", 250);
        Assert.Empty(backends.Delivered);
    }

    [Fact]
    public async Task LargeMessagesAreSpooledToAFileThatIsGoneAfterTheReply()
    {
        var spool = Directory.CreateTempSubdirectory("smtp-spool-test");
        try
        {
            var (server, backends) = await StartAsync(o => { o.SpoolDirectory = spool.FullName; o.MaxMessageSize = 8 * 1024 * 1024; });
            await using var _s = server;
            await using var peer = await GreetedAsync(server);

            // 3 MiB of lines that begin with a dot: stuffed on the wire, unstuffed in the spool.
            var lines = string.Concat(Enumerable.Range(0, 40_000).Select(i => $".line {i:D6} " + new string('z', 60) + "\r\n"));
            var expected = "Subject: large\r\n\r\n" + lines;
            await peer.CommandAsync("MAIL FROM:<sender@remote.example>", 250);
            await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
            await peer.CommandAsync("DATA", 354);
            await peer.SendAsync("Subject: large\r\n\r\n" + lines.Replace("\r\n.", "\r\n..").Insert(0, ".") + ".\r\n");
            await peer.ExpectAsync(250);

            var chunk = Encoding.ASCII.GetBytes(expected);
            await peer.CommandAsync("MAIL FROM:<sender@remote.example>", 250);
            await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
            await peer.SendAsync(Encoding.ASCII.GetBytes($"BDAT {chunk.Length - 1000}\r\n").Concat(chunk[..^1000]).ToArray());
            await peer.ExpectAsync(250);
            await peer.SendAsync(Encoding.ASCII.GetBytes("BDAT 1000 LAST\r\n").Concat(chunk[^1000..]).ToArray());
            await peer.ExpectAsync(250);

            Assert.Equal([true, true], backends.SpooledOnDisk);
            Assert.All(backends.Delivered, d => Assert.Equal(expected, Encoding.ASCII.GetString(d.Message)));
            Assert.Empty(spool.GetFiles());
        }
        finally
        {
            spool.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ASpoolThatCannotBeWrittenAnswers451AndTheSessionGoesOn()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-spool-{Guid.NewGuid():N}");
        var (server, backends) = await StartAsync(o => { o.SpoolDirectory = missing; o.MaxMessageSize = 8 * 1024 * 1024; });
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.CommandAsync("MAIL FROM:<sender@remote.example>", 250);
        await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
        await peer.CommandAsync("DATA", 354);
        await peer.SendAsync("Subject: nowhere to go\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('q', 98) + "\r\n", 20_000)) + ".\r\n");
        await peer.ExpectAsync(451);
        await peer.CommandAsync("NOOP", 250);
        Assert.Empty(backends.Delivered);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task SmallMessagesStayInMemory()
    {
        var spool = Directory.CreateTempSubdirectory("smtp-spool-test");
        try
        {
            var (server, backends) = await StartAsync(o => o.SpoolDirectory = spool.FullName);
            await using var _s = server;
            await using var peer = await GreetedAsync(server);
            await peer.CommandAsync("MAIL FROM:<sender@remote.example>", 250);
            await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
            await peer.CommandAsync("DATA", 354);
            await peer.SendAsync("Subject: small\r\n\r\nhello\r\n.\r\n");
            await peer.ExpectAsync(250);
            Assert.Equal([false], backends.SpooledOnDisk);
            Assert.Equal("Subject: small\r\n\r\nhello\r\n", Encoding.ASCII.GetString(Assert.Single(backends.Delivered).Message));
        }
        finally
        {
            spool.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TooManyRecipientsAndTooManyErrors()
    {
        var (server, _) = await StartAsync(o => { o.MaxRecipients = 2; o.MaxErrors = 4; });
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.CommandAsync("MAIL FROM:<sender@remote.example>", 250);
        await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
        await peer.CommandAsync("RCPT TO:<bob@example.org>", 250);
        await peer.CommandAsync("RCPT TO:<alice@example.org>", 452, "4.5.3");
        await peer.CommandAsync("RCPT TO:<bob@example.org>", 452, "4.5.3");
        await peer.CommandAsync("FOO", 500, "5.5.2");
        await peer.CommandAsync("BAR", 421, "4.7.0");
        Assert.True(await peer.IsClosedAsync());
    }

    [Fact]
    public async Task CommandTimeoutClosesWith421()
    {
        var (server, _) = await StartAsync(o => o.CommandTimeout = TimeSpan.FromSeconds(1));
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        var reply = await peer.ReadReplyAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("421 4.4.2", reply[^1]);
        Assert.True(await peer.IsClosedAsync());
    }

    [Fact]
    public async Task DataTimeoutClosesWith421()
    {
        var (server, backends) = await StartAsync(o => o.DataTimeout = TimeSpan.FromSeconds(1));
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.CommandAsync("MAIL FROM:<sender@remote.example>", 250);
        await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
        await peer.CommandAsync("DATA", 354);
        await peer.SendAsync("Subject: slow\r\n");
        var reply = await peer.ReadReplyAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("421 4.4.2", reply[^1]);
        Assert.Empty(backends.Delivered);
    }

    [Fact]
    public async Task LongCommandLinesAreRefused()
    {
        var (server, _) = await StartAsync(o => o.MaxCommandLineLength = 512);
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.CommandAsync("NOOP " + new string('a', 3000), 500, "5.5.2");
        await peer.CommandAsync("NOOP", 250);
    }

    [Fact]
    public async Task SubmissionNeedsTlsThenAuthThenOwnSender()
    {
        var (server, backends) = await StartAsync(o => { o.EnableAuth = true; o.RequireAuth = true; o.RequireTls = true; });
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.CommandAsync("AUTH PLAIN " + Convert.ToBase64String("\0user\0secret pass"u8), 530, "5.7.0");
        await peer.CommandAsync("MAIL FROM:<user@example.org>", 530, "5.7.0");

        // Plaintext pipelined after STARTTLS must be dropped, not run inside TLS.
        await peer.SendAsync("STARTTLS\r\nRSET\r\n");
        await peer.ExpectAsync(220, "2.0.0");
        await peer.StartTlsAsyncAfterReply();
        await peer.SendAsync("EHLO client.example\r\n");
        var ehlo = await peer.ReadReplyAsync();
        Assert.StartsWith("250-mx.test.example", ehlo[0]);
        Assert.Contains("250-AUTH PLAIN LOGIN", ehlo);
        Assert.DoesNotContain("250-STARTTLS", ehlo);

        await peer.CommandAsync("MAIL FROM:<user@example.org>", 530, "5.7.0");
        await peer.CommandAsync("AUTH PLAIN " + Convert.ToBase64String("\0user\0wrong"u8), 535, "5.7.8");
        await peer.CommandAsync("AUTH CRAM-MD5", 504, "5.5.4");
        await peer.CommandAsync("AUTH LOGIN", 334);
        await peer.CommandAsync(Convert.ToBase64String("user"u8), 334);
        await peer.CommandAsync(Convert.ToBase64String("secret pass"u8), 235, "2.7.0");
        await peer.CommandAsync("AUTH PLAIN", 503, "5.5.1");
        await peer.CommandAsync("MAIL FROM:<someone.else@example.org>", 553, "5.7.1");
        await peer.CommandAsync("MAIL FROM:<user@example.org>", 250);
        await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
        await peer.CommandAsync("DATA", 354);
        await peer.SendAsync("Subject: hi\r\n\r\nhi\r\n.\r\n");
        await peer.ExpectAsync(250);
        var (_, _, session) = Assert.Single(backends.Delivered);
        Assert.Equal("ESMTPSA", session.ReceivedProtocol(false));
        Assert.Equal("user", session.Principal!.Name);
    }

    [Fact]
    public async Task AuthPlainWithChallengeAndAbort()
    {
        var (server, _) = await StartAsync(o => o.EnableAuth = true);
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.StartTlsAsync();
        await peer.CommandAsync("EHLO client.example", 250);
        await peer.CommandAsync("AUTH PLAIN", 334);
        await peer.CommandAsync("*", 501, "5.7.0");
        await peer.CommandAsync("AUTH PLAIN", 334);
        await peer.CommandAsync("not base64!", 501, "5.5.2");
        await peer.CommandAsync("AUTH PLAIN", 334);
        await peer.CommandAsync(Convert.ToBase64String("\0user\0secret pass"u8), 235, "2.7.0");
    }

    [Fact]
    public async Task SmtpUtf8AndEightBitContent()
    {
        var (server, backends) = await StartAsync();
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.CommandAsync("MAIL FROM:<jösé@exämple.org>", 553, "5.6.7");
        await peer.CommandAsync("MAIL FROM:<sender@remote.example> BODY=8BITMIME", 250);
        await peer.CommandAsync("RCPT TO:<jösé@exämple.org>", 553, "5.6.7");
        await peer.CommandAsync("RSET", 250);
        await peer.CommandAsync("MAIL FROM:<jösé@exämple.org> SMTPUTF8 BODY=8BITMIME", 250);
        await peer.CommandAsync("RCPT TO:<jösé@exämple.org>", 250);
        await peer.CommandAsync("DATA", 354);
        var body = Encoding.UTF8.GetBytes("Subject: Grüße\r\nFrom: José <jösé@exämple.org>\r\n\r\nÄÖÜ ß 日本語\r\n");
        await peer.SendAsync(body.Concat(".\r\n"u8.ToArray()).ToArray());
        await peer.ExpectAsync(250);
        var (envelope, message, session) = Assert.Single(backends.Delivered);
        Assert.Equal(body, message);
        Assert.True(envelope.SmtpUtf8);
        Assert.Equal(SmtpBodyType.EightBitMime, envelope.Body);
        Assert.Equal("UTF8ESMTP", session.ReceivedProtocol(envelope.SmtpUtf8));
    }

    [Fact]
    public async Task SinkFailureIsPassedOnAndNothingIsStored()
    {
        var (server, backends) = await StartAsync();
        backends.DeliveryFailure = new SmtpReply(451, "4.4.3", "Error: delivery service unavailable, try again later");
        await using var _s = server;
        await using var peer = await GreetedAsync(server);
        await peer.CommandAsync("MAIL FROM:<sender@remote.example>", 250);
        await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
        await peer.CommandAsync("DATA", 354);
        await peer.SendAsync("Subject: x\r\n\r\nx\r\n.\r\n");
        await peer.ExpectAsync(451, "4.4.3");
        Assert.Empty(backends.Delivered);
        await peer.CommandAsync("MAIL FROM:<sender@remote.example>", 250);
    }

    [Fact]
    public async Task PerIpConnectionLimitAnswers421()
    {
        var (server, _) = await StartAsync(o => o.MaxConnectionsPerIp = 1);
        await using var _s = server;
        await using var first = await GreetedAsync(server);
        await using var second = await SmtpTestPeer.ConnectAsync(server.EndPoint);
        await second.ExpectAsync(421, "4.7.0");
        Assert.True(await second.IsClosedAsync());
        await first.CommandAsync("NOOP", 250);
    }

    [Fact]
    public async Task PerIpConnectionRateAnswers421()
    {
        var (server, _) = await StartAsync(o => o.MaxConnectionRatePerIp = 2);
        await using var _s = server;
        for (var i = 0; i < 2; i++)
        {
            await using var peer = await SmtpTestPeer.ConnectAsync(server.EndPoint);
            await peer.ExpectAsync(220);
        }

        await using var refused = await SmtpTestPeer.ConnectAsync(server.EndPoint);
        await refused.ExpectAsync(421, "4.7.0");
    }
}

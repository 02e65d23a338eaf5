using System.Diagnostics;
using System.Net;
using System.Text;
using Encimap.Smtp;

namespace Encimap.Smtp.Tests;

/// <summary>
/// Per-message latency over one real socket: no reply may wait on a timer, a flush that only
/// happens when more input arrives, or a Nagle/delayed-ACK stall. Such a stall costs 40–200 ms per
/// message on Linux loopback (a delayed ACK), i.e. 8–40 s for the messages here; without one they
/// take well under a second even on a loaded machine, so the bound is generous.
/// </summary>
public sealed class SmtpLatencyTests
{
    private const int Messages = 200;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private static SmtpServer Start(InMemoryBackends backends)
    {
        var server = new SmtpServer(
            new SmtpServerOptions
            {
                Name = "test",
                HostName = "mx.test.example",
                EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                MaxConnectionsPerIp = 0,
                MaxConnectionRatePerIp = 0,
            },
            backends.Backends);
        server.Start();
        return server;
    }

    /// <summary>A 5 KB message, dot-stuffing-free, ending with the end-of-data line when <paramref name="terminated"/>.</summary>
    private static byte[] SmallMessage(int index, bool terminated)
    {
        var text = new StringBuilder($"From: <sender@client.example>\r\nTo: <alice@example.org>\r\nSubject: small {index}\r\nMessage-ID: <{index}@client.example>\r\n\r\n");
        while (text.Length < 5 * 1024)
        {
            text.Append("The quick brown fox jumps over the lazy dog; 0123456789 abcdefghijklmnop.\r\n");
        }

        return Encoding.ASCII.GetBytes(terminated ? text.Append(".\r\n").ToString() : text.ToString());
    }

    private static async Task<SmtpTestPeer> GreetedAsync(SmtpServer server)
    {
        var peer = await SmtpTestPeer.ConnectAsync(server.EndPoint);
        await peer.ExpectAsync(220);
        await peer.SendAsync("EHLO client.example\r\n");
        await peer.ExpectAsync(250);
        return peer;
    }

    private static async Task WarmUpAsync(SmtpServer server)
    {
        // One transaction first, so that the bound measures the steady state and not the JIT.
        await using var peer = await GreetedAsync(server);
        await peer.CommandAsync("MAIL FROM:<sender@client.example>", 250);
        await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
        await peer.CommandAsync("DATA", 354);
        await peer.SendAsync(SmallMessage(-1, terminated: true));
        await peer.ExpectAsync(250);
    }

    [Fact]
    public async Task Small_messages_with_a_pipelined_envelope_are_answered_without_delay()
    {
        var backends = new InMemoryBackends();
        await using var server = Start(backends);
        await WarmUpAsync(server);
        await using var peer = await GreetedAsync(server);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Messages; i++)
        {
            // As a sending MTA does with PIPELINING (RFC 2920): MAIL, RCPT and DATA in one write.
            await peer.SendAsync("MAIL FROM:<sender@client.example>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
            await peer.ExpectAsync(250, "2.1.0");
            await peer.ExpectAsync(250, "2.1.5");
            await peer.ExpectAsync(354);
            await peer.SendAsync(SmallMessage(i, terminated: true));
            await peer.ExpectAsync(250, "2.0.0");
        }

        watch.Stop();
        Assert.Equal(Messages + 1, backends.Delivered.Count);
        Assert.True(watch.Elapsed < Bound, $"{Messages} small messages took {watch.Elapsed.TotalMilliseconds:N0} ms ({watch.Elapsed.TotalMilliseconds / Messages:N1} ms each)");
    }

    [Fact]
    public async Task Small_messages_sent_command_by_command_are_answered_without_delay()
    {
        var backends = new InMemoryBackends();
        await using var server = Start(backends);
        await WarmUpAsync(server);
        await using var peer = await GreetedAsync(server);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Messages; i++)
        {
            await peer.CommandAsync("MAIL FROM:<sender@client.example>", 250);
            await peer.CommandAsync("RCPT TO:<alice@example.org>", 250);
            await peer.CommandAsync("DATA", 354);
            // The body and the end-of-data line in separate writes: the server must not wait for more.
            await peer.SendAsync(SmallMessage(i, terminated: false));
            await peer.SendAsync(".\r\n");
            await peer.ExpectAsync(250, "2.0.0");
        }

        watch.Stop();
        Assert.Equal(Messages + 1, backends.Delivered.Count);
        Assert.True(watch.Elapsed < Bound, $"{Messages} small messages took {watch.Elapsed.TotalMilliseconds:N0} ms ({watch.Elapsed.TotalMilliseconds / Messages:N1} ms each)");
    }

    [Fact]
    public async Task Small_messages_in_bdat_chunks_are_answered_without_delay()
    {
        var backends = new InMemoryBackends();
        await using var server = Start(backends);
        await WarmUpAsync(server);
        await using var peer = await GreetedAsync(server);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Messages; i++)
        {
            var message = SmallMessage(i, terminated: false);
            await peer.SendAsync($"MAIL FROM:<sender@client.example>\r\nRCPT TO:<alice@example.org>\r\nBDAT {message.Length} LAST\r\n");
            await peer.SendAsync(message);
            await peer.ExpectAsync(250, "2.1.0");
            await peer.ExpectAsync(250, "2.1.5");
            await peer.ExpectAsync(250, "2.0.0");
        }

        watch.Stop();
        Assert.Equal(Messages + 1, backends.Delivered.Count);
        Assert.True(watch.Elapsed < Bound, $"{Messages} small messages took {watch.Elapsed.TotalMilliseconds:N0} ms ({watch.Elapsed.TotalMilliseconds / Messages:N1} ms each)");
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Encimap.Testing;

namespace Encimap.Replicas.Tests;

/// <summary>
/// The smarthost of the replica tests: a minimal SMTP server (RFC 5321: EHLO, MAIL, RCPT, DATA,
/// RSET, NOOP, QUIT; no STARTTLS) that accepts every message and counts how often it received each
/// Message-ID, so that a message relayed twice shows.
/// </summary>
public sealed partial class CountingSmtpSink : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _received = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TcpListener _listener;
    private Task _accepting = Task.CompletedTask;

    public CountingSmtpSink()
    {
        Port = LoopbackPort.Free();
        _listener = new TcpListener(IPAddress.Loopback, Port);
    }

    public int Port { get; }

    /// <summary>How many times each Message-ID arrived.</summary>
    public IReadOnlyDictionary<string, int> Received => _received;

    public void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.Latin1);
            await using var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 sink.test ESMTP");
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 go ahead");
                        await ReceiveMessageAsync(reader);
                        await writer.WriteLineAsync("250 2.0.0 queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 ok");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // the relay hung up, or the sink is stopping
        }
    }

    private async Task ReceiveMessageAsync(StreamReader reader)
    {
        string? messageId = null;
        while (await reader.ReadLineAsync(_stop.Token) is { } line && line != ".")
        {
            if (messageId is null && MessageIdField().Match(line) is { Success: true } match)
            {
                messageId = match.Groups[1].Value;
            }
        }

        _received.AddOrUpdate(messageId ?? "(none)", 1, (_, count) => count + 1);
    }

    [GeneratedRegex(@"^Message-ID:\s*(<[^>]+>)", RegexOptions.IgnoreCase)]
    private static partial Regex MessageIdField();
}

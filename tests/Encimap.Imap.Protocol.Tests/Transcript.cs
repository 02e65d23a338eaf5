using System.IO.Pipelines;
using System.Text;
using Encimap.Imap.Protocol;

namespace Encimap.Imap.Protocol.Tests;

/// <summary>
/// Runs a session against the memory backend. <see cref="Exchange"/> sends client lines and
/// returns the server's lines up to the tagged response of the last one (or a continuation).
/// </summary>
public sealed class Transcript : IAsyncDisposable
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly StreamReader _reader;
    private readonly Stream _writer;
    private readonly Task _session;

    public Transcript(MemoryStore store, bool secure = true, ImapLimits? limits = null)
    {
        var transport = new TestTransport(new DuplexStream(_toServer.Reader.AsStream(), _toClient.Writer.AsStream()), secure);
        Session = new ImapServerSession(transport, new MemorySession(store), new ImapServerOptions { Limits = limits ?? new ImapLimits() });
        _session = Task.Run(() => Session.RunAsync(CancellationToken.None));
        _reader = new StreamReader(_toClient.Reader.AsStream(), Encoding.UTF8);
        _writer = _toServer.Writer.AsStream();
        Greeting = _reader.ReadLine()!;
    }

    public ImapServerSession Session { get; }

    public string Greeting { get; }

    public async Task<string[]> Exchange(string clientLine, string? until = null)
    {
        await _writer.WriteAsync(Encoding.UTF8.GetBytes(clientLine + "\r\n"));
        await _writer.FlushAsync();
        var tag = until ?? clientLine.Split(' ')[0] + " ";
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("no tagged answer; got: " + string.Join(" | ", lines) + " session: " + _session.Status + " " + _session.Exception);
            }

            if (line is null)
            {
                throw new EndOfStreamException(string.Join("\n", lines));
            }
            lines.Add(line);
            if (line.StartsWith(tag, StringComparison.Ordinal) || (until is null && line.StartsWith("+ ", StringComparison.Ordinal)))
            {
                return [.. lines];
            }
        }
    }

    public async Task<string> ReadLine()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException();
    }

    public async Task<bool> Closed()
    {
        await _session.WaitAsync(TimeSpan.FromSeconds(10));
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        await _session.WaitAsync(TimeSpan.FromSeconds(10));
    }
}

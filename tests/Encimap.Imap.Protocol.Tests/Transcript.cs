using System.IO.Pipelines;
using System.Text;
using Encimap.Imap.Protocol;

namespace Encimap.Imap.Protocol.Tests;

/// <summary>An in-memory connection: the test plays the client, line by line.</summary>
public sealed class TestTransport : IImapTransport
{
    public TestTransport(Stream stream, bool secure)
    {
        Stream = stream;
        IsSecure = secure;
    }

    public Stream Stream { get; }
    public bool IsSecure { get; private set; }
    public bool CanStartTls => true;
    public string RemoteAddress => "127.0.0.1";

    public Task StartTlsAsync(CancellationToken cancellationToken)
    {
        IsSecure = true;
        return Task.CompletedTask;
    }
}

public sealed class DuplexStream(Stream input, Stream output) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => output.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => input.ReadAsync(buffer, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => output.WriteAsync(buffer, cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

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

using System.IO.Pipelines;
using System.Text;
using Encimap.Imap.Protocol;

namespace Encimap.Imap.Protocol.Tests;

/// <summary>
/// DONE arriving while IDLE's loop is flushing an update: the tagged OK must still be sent.
/// The connection here sends DONE from inside the write of the EXISTS, and lets that write finish
/// only after the session has read DONE and stopped the loop, which is the moment that once left
/// the writer cancelled for the next flush.
/// </summary>
public sealed class IdleDoneTests
{
    [Fact]
    public async Task Done_received_during_an_update_flush_is_answered()
    {
        var store = new MemoryStore();
        store.Deliver("INBOX", "Subject: one\r\n\r\n1\r\n");
        var toServer = new Pipe();
        var toClient = new Pipe();
        var connection = new DoneDuringWriteStream(toServer.Reader.AsStream(), toClient.Writer.AsStream(), toServer.Writer);
        var session = new ImapServerSession(new TestTransport(connection, secure: true), new MemorySession(store), new ImapServerOptions());
        var running = Task.Run(() => session.RunAsync(CancellationToken.None));
        using var client = new StreamReader(toClient.Reader.AsStream(), Encoding.ASCII);
        Assert.StartsWith("* OK", await ReadLineAsync(client));
        await SendAsync(toServer.Writer, "a LOGIN fred secret");
        await ReadUntilAsync(client, "a ");
        await SendAsync(toServer.Writer, "b SELECT INBOX");
        await ReadUntilAsync(client, "b ");
        await SendAsync(toServer.Writer, "c IDLE");
        Assert.Equal("+ idling", await ReadLineAsync(client));

        connection.SendDoneInsideNextWrite = true;
        store.Deliver("INBOX", "Subject: two\r\n\r\n2\r\n");
        Assert.Equal("* 2 EXISTS", await ReadLineAsync(client));
        Assert.Equal("* 2 RECENT", await ReadLineAsync(client));
        Assert.Equal("c OK IDLE terminated", await ReadLineAsync(client));

        await toServer.Writer.CompleteAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static async Task SendAsync(PipeWriter server, string line)
    {
        await server.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
    }

    private static async Task<string> ReadLineAsync(StreamReader client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await client.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException();
    }

    private static async Task ReadUntilAsync(StreamReader client, string tag)
    {
        while (!(await ReadLineAsync(client)).StartsWith(tag, StringComparison.Ordinal))
        {
        }
    }

    /// <summary>
    /// A connection whose writes honour cancellation as sockets do, and whose flush has nothing
    /// to do. Armed, it answers the next write with DONE and holds that write for a moment,
    /// long enough for the session to read DONE and stop the IDLE loop.
    /// </summary>
    private sealed class DoneDuringWriteStream(Stream input, Stream output, PipeWriter client) : Stream
    {
        public volatile bool SendDoneInsideNextWrite;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => input.ReadAsync(buffer, cancellationToken);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await output.WriteAsync(buffer, CancellationToken.None);
            await output.FlushAsync(CancellationToken.None);
            if (SendDoneInsideNextWrite)
            {
                SendDoneInsideNextWrite = false;
                await client.WriteAsync("DONE\r\n"u8.ToArray(), CancellationToken.None);
                await Task.Delay(300, CancellationToken.None);
            }
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

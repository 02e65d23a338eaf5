using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Encimap.Smtp;

/// <summary>
/// The I/O of one session: reads commands, DATA content and BDAT chunks from the socket with
/// System.IO.Pipelines, drives <see cref="SmtpSession"/>, writes its replies (flushed only when
/// no more pipelined input is waiting, RFC 2920), upgrades to TLS on STARTTLS (discarding any
/// plaintext pipelined after it) and applies the command and data timeouts.
/// </summary>
public sealed class SmtpConnection : IAsyncDisposable
{
    private enum LineStatus { Line, EndOfStream, TooLong, BareLineFeed }

    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true);
    private static readonly StreamPipeWriterOptions WriterOptions = new(leaveOpen: true);

    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private readonly SmtpServerOptions _options;
    private readonly SmtpBackends _backends;
    private readonly ILogger _logger;
    private Stream _stream;
    private PipeReader _reader;
    private PipeWriter _writer;
    private CancellationTokenSource? _io;
    private bool _discardingLongLine;

    public SmtpConnection(Socket socket, SmtpServerOptions options, SmtpBackends backends, ILogger logger)
    {
        _socket = socket;
        _network = new NetworkStream(socket, ownsSocket: true);
        _stream = _network;
        _options = options;
        _backends = backends;
        _logger = logger;
        _reader = PipeReader.Create(_network, ReaderOptions);
        _writer = PipeWriter.Create(_network, WriterOptions);
    }

    /// <summary>Answers a connection that is not admitted (connection limits) and closes it.</summary>
    public static async Task RefuseAsync(Socket socket, SmtpReply reply)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.SendAsync(Encoding.ASCII.GetBytes(reply.ToWireString()), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client is gone already.
        }
        finally
        {
            socket.Dispose();
        }
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        var remote = (IPEndPoint)_socket.RemoteEndPoint!;
        var listenerTag = new KeyValuePair<string, object?>("smtp.listener", _options.Name);
        var context = new SmtpSessionContext
        {
            SessionId = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.NextInt64())),
            ListenerName = _options.Name,
            RemoteEndPoint = remote,
        };

        Activity.Current = null;
        using var activity = SmtpTelemetry.ActivitySource.StartActivity(
            "smtp session",
            ActivityKind.Server,
            parentContext: default,
            tags: [listenerTag, new("smtp.session_id", context.SessionId), new("smtp.client.address", remote.Address.ToString())]);
        SmtpTelemetry.Sessions.Add(1, listenerTag);
        SmtpTelemetry.ActiveSessions.Add(1, listenerTag);
        _io = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var session = new SmtpSession(_options, _backends, context, activity);
        try
        {
            Write(session.Greeting());
            await RunSessionAsync(session, _io.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await TryFinalReplyAsync(SmtpReply.ShuttingDown).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_io.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "timeout");
            await TryFinalReplyAsync(SmtpReply.Timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or ObjectDisposedException)
        {
            // The client went away or broke the TLS handshake: nothing to answer.
            _logger.LogDebug(e, "SMTP session {SessionId} from {Remote} ended by the client", context.SessionId, remote);
        }
        finally
        {
            SmtpTelemetry.ActiveSessions.Add(-1, listenerTag);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
            await _writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // Best effort: the connection is going away.
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed by the peer.
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        await _network.DisposeAsync().ConfigureAwait(false);
        _io?.Dispose();
    }

    private async Task RunSessionAsync(SmtpSession session, CancellationToken cancellationToken)
    {
        var next = SmtpNext.Command;
        while (true)
        {
            SmtpStep step;
            switch (next)
            {
                case SmtpNext.AuthResponse:
                case SmtpNext.Command:
                {
                    var (status, line) = await ReadLineAsync(_options.CommandTimeout).ConfigureAwait(false);
                    switch (status)
                    {
                        case LineStatus.EndOfStream:
                            return;
                        case LineStatus.BareLineFeed:
                            step = new SmtpStep(SmtpReply.BareLineFeed, SmtpNext.Close);
                            break;
                        case LineStatus.TooLong:
                            step = await session.HandleCommandAsync(new InvalidCommand(SmtpVerb.Unknown, SmtpReply.LineTooLong), cancellationToken).ConfigureAwait(false);
                            break;
                        default:
                            step = next == SmtpNext.AuthResponse
                                ? await session.HandleAuthResponseAsync(Encoding.UTF8.GetString(line), cancellationToken).ConfigureAwait(false)
                                : await session.HandleCommandAsync(SmtpCommandParser.Parse(line), cancellationToken).ConfigureAwait(false);
                            break;
                    }

                    break;
                }

                case SmtpNext.Data:
                {
                    var decoder = session.BeginData();
                    if (!await ReadDataAsync(decoder).ConfigureAwait(false))
                    {
                        return;
                    }

                    step = await session.CompleteDataAsync(decoder, cancellationToken).ConfigureAwait(false);
                    break;
                }

                default:
                    throw new InvalidOperationException($"Unexpected state {next}.");
            }

            if (step.Next == SmtpNext.BdatChunk)
            {
                if (!await ReadChunkAsync(step.ChunkSize, session).ConfigureAwait(false))
                {
                    return;
                }

                step = await session.CompleteChunkAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (step.Next == SmtpNext.DiscardBdatChunk)
            {
                if (!await ReadChunkAsync(step.ChunkSize, null).ConfigureAwait(false))
                {
                    return;
                }

                step = step with { Next = SmtpNext.Command };
            }

            if (step.Reply is not null)
            {
                Write(step.Reply);
            }

            switch (step.Next)
            {
                case SmtpNext.Close:
                    await FlushAsync().ConfigureAwait(false);
                    return;
                case SmtpNext.StartTls:
                    await FlushAsync().ConfigureAwait(false);
                    await StartTlsAsync(cancellationToken).ConfigureAwait(false);
                    session.OnTlsStarted();
                    next = SmtpNext.Command;
                    break;
                default:
                    next = step.Next;
                    break;
            }
        }
    }

    private async Task StartTlsAsync(CancellationToken cancellationToken)
    {
        // Whatever the client pipelined after STARTTLS in plaintext is dropped with the old reader
        // (CVE-2011-0411): only what arrives inside TLS is read.
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _writer.CompleteAsync().ConfigureAwait(false);
        var ssl = new SslStream(_network, leaveInnerStreamOpen: true);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handshake.CancelAfter(_options.TlsHandshakeTimeout);
        await ssl.AuthenticateAsServerAsync(
            new SslServerAuthenticationOptions
            {
                ServerCertificate = _options.TlsCertificate,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateRequired = false,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            },
            handshake.Token).ConfigureAwait(false);
        _stream = ssl;
        _reader = PipeReader.Create(ssl, ReaderOptions);
        _writer = PipeWriter.Create(ssl, WriterOptions);
    }

    private void Write(SmtpReply reply)
    {
        var text = reply.ToWireString();
        var span = _writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private async ValueTask FlushAsync()
    {
        if (_writer.UnflushedBytes == 0)
        {
            return;
        }

        _io!.CancelAfter(_options.CommandTimeout);
        await _writer.FlushAsync(_io.Token).ConfigureAwait(false);
        _io.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    private async Task TryFinalReplyAsync(SmtpReply reply)
    {
        try
        {
            Write(reply);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _writer.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The client is gone.
        }
    }

    /// <summary>Reads more input, flushing pending replies first when that read would wait.</summary>
    private async ValueTask<ReadResult> ReadAsync(TimeSpan timeout)
    {
        if (_reader.TryRead(out var buffered))
        {
            return buffered;
        }

        await FlushAsync().ConfigureAwait(false);
        _io!.CancelAfter(timeout);
        var result = await _reader.ReadAsync(_io.Token).ConfigureAwait(false);
        _io.CancelAfter(Timeout.InfiniteTimeSpan);
        return result;
    }

    private async ValueTask<(LineStatus Status, byte[] Line)> ReadLineAsync(TimeSpan timeout)
    {
        while (true)
        {
            var result = await ReadAsync(timeout).ConfigureAwait(false);
            var buffer = result.Buffer;
            var lf = buffer.PositionOf((byte)'\n');
            if (lf is not null)
            {
                var line = buffer.Slice(0, buffer.GetPosition(1, lf.Value));
                var tooLong = _discardingLongLine || line.Length > _options.MaxCommandLineLength;
                var bytes = tooLong ? [] : line.ToArray();
                _reader.AdvanceTo(line.End);
                _discardingLongLine = false;
                if (tooLong)
                {
                    return (LineStatus.TooLong, []);
                }

                return bytes.Length < 2 || bytes[^2] != (byte)'\r'
                    ? (LineStatus.BareLineFeed, [])
                    : (LineStatus.Line, bytes[..^2]);
            }

            if (result.IsCompleted)
            {
                _reader.AdvanceTo(buffer.End);
                return (LineStatus.EndOfStream, []);
            }

            if (buffer.Length > _options.MaxCommandLineLength)
            {
                _discardingLongLine = true;
                _reader.AdvanceTo(buffer.End);
                continue;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads DATA content until the end-of-data line or a refused line break; false at end of stream.</summary>
    private async ValueTask<bool> ReadDataAsync(SmtpDataDecoder decoder)
    {
        while (true)
        {
            var result = await ReadAsync(_options.DataTimeout).ConfigureAwait(false);
            var buffer = result.Buffer;
            long consumed = 0;
            var status = SmtpDataStatus.NeedMore;
            foreach (var segment in buffer)
            {
                status = decoder.Decode(segment.Span, out var used);
                consumed += used;
                if (status != SmtpDataStatus.NeedMore)
                {
                    break;
                }
            }

            _reader.AdvanceTo(buffer.GetPosition(consumed));
            if (status != SmtpDataStatus.NeedMore)
            {
                return true;
            }

            if (result.IsCompleted)
            {
                return false;
            }
        }
    }

    /// <summary>Reads a BDAT chunk of <paramref name="size"/> octets into the session (or drops it); false at end of stream.</summary>
    private async ValueTask<bool> ReadChunkAsync(long size, SmtpSession? session)
    {
        var remaining = size;
        while (remaining > 0)
        {
            var result = await ReadAsync(_options.DataTimeout).ConfigureAwait(false);
            var buffer = result.Buffer;
            var take = buffer.Slice(0, Math.Min(remaining, buffer.Length));
            session?.AppendChunk(take);
            remaining -= take.Length;
            _reader.AdvanceTo(take.End);
            if (remaining > 0 && result.IsCompleted)
            {
                return false;
            }
        }

        return true;
    }
}

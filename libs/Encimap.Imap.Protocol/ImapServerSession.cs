using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Encimap.Imap.Protocol;

/// <summary>
/// One IMAP connection: reads commands with <see cref="ImapCommandReceiver"/>, checks them against
/// <see cref="CommandTable"/>, calls the backend session and writes the responses. It owns the
/// session's view of the selected mailbox (sequence numbers), and decides when updates may be
/// sent (no EXPUNGE during FETCH, STORE or SEARCH; RFC 3501 §7.4.1).
/// </summary>
public sealed partial class ImapServerSession : IUpdateSink
{
    private readonly IImapTransport _transport;
    private readonly IImapSession _backend;
    private readonly ImapServerOptions _options;
    private readonly ImapCommandReceiver _receiver;
    private ConnectionStream _connection = null!;
    private bool _connectionLost;
    private PipeReader _reader = null!;
    private PipeWriter _pipe = null!;
    private CancellationToken _connectionClosing;
    private ImapWriter _writer = null!;
    private MailboxView? _view;
    private bool _condStore;
    private bool _qresync;
    private bool _utf8;
    private bool _rev2;
    private int _unauthenticatedCommands;
    private ImapCommandSpan? _span;

    public ImapServerSession(IImapTransport transport, IImapSession backend, ImapServerOptions? options = null)
    {
        _transport = transport;
        _backend = backend;
        _options = options ?? new ImapServerOptions();
        _receiver = new ImapCommandReceiver(_options.Limits);
        AttachStream();
    }

    public SessionState State { get; private set; } = SessionState.NotAuthenticated;

    /// <summary>The authenticated username, once logged in.</summary>
    public string? Username { get; private set; }

    /// <summary>Serves the connection until LOGOUT, a fatal error, a timeout or the client leaving.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _connectionClosing = cancellationToken;
        try
        {
            _writer.Raw($"* OK [CAPABILITY {Capabilities}] {_options.Greeting}\r\n");
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            while (State != SessionState.Logout && !cancellationToken.IsCancellationRequested)
            {
                var timeout = State == SessionState.NotAuthenticated ? _options.Limits.UnauthenticatedTimeout : _options.Limits.IdleTimeout;
                ReceiveResult? received;
                using (var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    timer.CancelAfter(timeout);
                    try
                    {
                        received = await ReadCommandAsync(timer.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        _writer.Raw("* BYE Autologout; idle for too long\r\n"u8);
                        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        return;
                    }
                }

                if (received is not { } result)
                {
                    return;
                }

                if (result.Status == ReceiveStatus.Error)
                {
                    var code = result.ResponseCode is null ? "" : $"[{result.ResponseCode}] ";
                    _writer.Raw($"{result.Tag ?? "*"} BAD {code}{result.Error}\r\n");
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (await CountUnauthenticatedAsync(cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    continue;
                }

                await ExecuteAsync(result.Command!, cancellationToken).ConfigureAwait(false);
                await FlushAsync(cancellationToken).ConfigureAwait(false);
                if (await CountUnauthenticatedAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
            await _pipe.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task<bool> CountUnauthenticatedAsync(CancellationToken cancellationToken)
    {
        if (State == SessionState.NotAuthenticated && ++_unauthenticatedCommands > _options.Limits.MaxUnauthenticatedCommands)
        {
            _writer.Raw("* BYE Too many commands without logging in\r\n"u8);
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        return false;
    }

    private void AttachStream()
    {
        _connection = new ConnectionStream(_transport.Stream);
        _reader = PipeReader.Create(_connection, new StreamPipeReaderOptions(leaveOpen: true, bufferSize: 16 * 1024));
        _pipe = PipeWriter.Create(_connection, new StreamPipeWriterOptions(leaveOpen: true));
        _writer = new ImapWriter(_pipe) { Utf8 = _utf8 };
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var result = await _pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled && !cancellationToken.IsCancellationRequested)
        {
            // StreamPipeWriter reports a flush as cancelled, without writing, when the token of an
            // earlier flush was cancelled just as that flush finished. The bytes are still
            // buffered: send them now.
            await _pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ReceiveResult?> ReadCommandAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            var result = _receiver.Receive(ref buffer);
            if (result.Status == ReceiveStatus.NeedMoreData)
            {
                _reader.AdvanceTo(buffer.Start, buffer.End);
            }
            else
            {
                // Bytes after this point are not examined yet: the next read must see them at once.
                _reader.AdvanceTo(buffer.Start);
            }
            switch (result.Status)
            {
                case ReceiveStatus.NeedMoreData:
                    if (read.IsCompleted)
                    {
                        return null;
                    }

                    continue;
                case ReceiveStatus.NeedLiteral:
                    if (!result.LiteralNonSynchronizing)
                    {
                        _writer.Raw("+ Ready for literal data\r\n"u8);
                        await FlushAsync(cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                default:
                    return result;
            }
        }
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (_receiver.TryReadLine(ref buffer, out var line))
            {
                _reader.AdvanceTo(buffer.Start);
                return line;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted)
            {
                return null;
            }
        }
    }

    private void Tagged(string tag, ImapStatus status, string text, string? code = null)
    {
        _writer.Raw(tag).Space().Raw(status switch { ImapStatus.Ok => "OK", ImapStatus.No => "NO", _ => "BAD" }).Space();
        if (code is not null)
        {
            _writer.Byte('[').Raw(code).Raw("] "u8);
        }

        _writer.Raw(text).Crlf();
        _span?.Answered(status, code);
    }

    private async Task ExecuteAsync(ImapCommand command, CancellationToken cancellationToken)
    {
        _span = ImapCommandSpan.Start(command);
        try
        {
            await ExecuteInSpanAsync(command, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _span.End(_view?.Name);
            _span = null;
        }
    }

    private async Task ExecuteInSpanAsync(ImapCommand command, CancellationToken cancellationToken)
    {
        if (!CommandTable.IsAllowed(State, command.Name))
        {
            Tagged(command.Tag, ImapStatus.Bad, $"{command.Name} is not allowed {StateText(command.Name)}");
            return;
        }

        var succeeded = false;
        ImapException? refusal = null;
        try
        {
            succeeded = await DispatchAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (ImapException e)
        {
            refusal = e;
        }
        catch (Exception e) when (!ConnectionLost(cancellationToken))
        {
            FailedInStorage(command, e);
        }

        if (refusal is not null)
        {
            // A refusal still brings the updates of the selected mailbox, as an OK would.
            if (State == SessionState.Selected && refusal.Status == ImapStatus.No && command.Name is not ("SELECT" or "EXAMINE"))
            {
                try
                {
                    await PollAsync(false, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!ConnectionLost(cancellationToken))
                {
                    _options.OnError?.Invoke(command, e);
                }
            }

            Tagged(command.Tag, refusal.Status, refusal.Message, refusal.Code);
        }

        State = CommandTable.Next(State, command.Name, succeeded);
        if (State != SessionState.Selected && _view is not null && command.Name is "SELECT" or "EXAMINE" or "CLOSE" or "UNSELECT")
        {
            _view = null;
            _held.Clear();
        }
    }

    /// <summary>
    /// Whether the connection itself failed or is closing: that alone ends a session. Any other
    /// failure of a command (the storage or an RPC failing or timing out, an I/O error that is not
    /// the connection's) is answered and the session goes on.
    /// </summary>
    private bool ConnectionLost(CancellationToken cancellationToken) =>
        _connectionLost || _connection.Failed || cancellationToken.IsCancellationRequested;

    private void FailedInStorage(ImapCommand command, Exception e)
    {
        _options.OnError?.Invoke(command, e);
        _span?.Failed(e);
        Tagged(command.Tag, ImapStatus.No, "Temporary server failure; try again", "UNAVAILABLE");
    }

    private string StateText(string command) =>
        !CommandTable.IsAllowed(SessionState.Selected, command) ? "now"
        : State == SessionState.NotAuthenticated ? "before logging in"
        : "without a selected mailbox";

    /// <summary>The command's handler, in the file of its command family.</summary>
    private Task<bool> DispatchAsync(ImapCommand c, CancellationToken ct) => c.Name switch
    {
        "CAPABILITY" => CapabilityAsync(c, ct),
        "NOOP" or "CHECK" => NoopAsync(c, ct),
        "LOGOUT" => Task.FromResult(Logout(c)),
        "ID" => IdAsync(c, ct),
        "ENABLE" => EnableAsync(c, (EnableArguments)c.Arguments, ct),
        "STARTTLS" => StartTlsAsync(c, ct),
        "LOGIN" => LoginAsync(c, (LoginArguments)c.Arguments, ct),
        "AUTHENTICATE" => AuthenticateAsync(c, (AuthenticateArguments)c.Arguments, ct),
        "NAMESPACE" => NamespaceAsync(c, ct),
        "LIST" or "XLIST" or "LSUB" => ListAsync(c, (ListArguments)c.Arguments, ct),
        "CREATE" => CreateAsync(c, (MailboxArguments)c.Arguments, ct),
        "DELETE" => DeleteAsync(c, (MailboxArguments)c.Arguments, ct),
        "RENAME" => RenameAsync(c, (RenameArguments)c.Arguments, ct),
        "SUBSCRIBE" or "UNSUBSCRIBE" => SubscribeAsync(c, (MailboxArguments)c.Arguments, ct),
        "STATUS" => StatusAsync(c, (StatusArguments)c.Arguments, ct),
        "APPEND" => AppendAsync(c, (AppendArguments)c.Arguments, ct),
        "SELECT" or "EXAMINE" => SelectAsync(c, (SelectArguments)c.Arguments, ct),
        "IDLE" => IdleAsync(c, ct),
        "CLOSE" => CloseAsync(c, ct),
        "UNSELECT" => UnselectAsync(c, ct),
        "EXPUNGE" => ExpungeAsync(c, ct),
        "SEARCH" => SearchAsync(c, (SearchArguments)c.Arguments, ct),
        "FETCH" => FetchAsync(c, (FetchArguments)c.Arguments, ct),
        "STORE" => StoreAsync(c, (StoreArguments)c.Arguments, ct),
        "COPY" or "MOVE" => CopyAsync(c, (CopyArguments)c.Arguments, ct),
        _ => Task.FromResult(UnknownCommand(c)),
    };

    private bool UnknownCommand(ImapCommand c)
    {
        Tagged(c.Tag, ImapStatus.Bad, "unknown command");
        return false;
    }

    private async Task<bool> NoopAsync(ImapCommand c, CancellationToken ct)
    {
        if (State == SessionState.Selected)
        {
            await PollAsync(true, ct).ConfigureAwait(false);
        }

        Tagged(c.Tag, ImapStatus.Ok, $"{c.Name} completed");
        return true;
    }

    private bool Logout(ImapCommand c)
    {
        _writer.Raw("* BYE Logging out\r\n"u8);
        Tagged(c.Tag, ImapStatus.Ok, "LOGOUT completed");
        return true;
    }

    /// <summary>No EXPUNGE during FETCH, STORE or SEARCH by sequence number (RFC 3501 §7.4.1).</summary>
    private static bool ExpungesAllowedDuring(ImapCommand c) => c.Uid || c.Name is not ("FETCH" or "STORE" or "SEARCH");

    /// <summary>Sends pending updates (in the selected state), then the tagged OK.</summary>
    private async Task<bool> OkAsync(ImapCommand c, string text, CancellationToken ct, string? code = null)
    {
        if (State == SessionState.Selected)
        {
            try
            {
                await PollAsync(false, ct, allowExpunges: ExpungesAllowedDuring(c)).ConfigureAwait(false);
            }
            catch (Exception e) when (!ConnectionLost(ct))
            {
                // The command itself succeeded: its OK stands; the updates come with the next one.
                _options.OnError?.Invoke(c, e);
            }
        }

        Tagged(c.Tag, ImapStatus.Ok, text, code);
        return true;
    }
}

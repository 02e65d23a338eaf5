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
public sealed class ImapServerSession : IUpdateSink
{
    private readonly IImapTransport _transport;
    private readonly IImapSession _backend;
    private readonly ImapServerOptions _options;
    private readonly ImapCommandReceiver _receiver;
    private readonly List<uint> _pendingExpunges = [];
    private PipeReader _reader = null!;
    private PipeWriter _pipe = null!;
    private CancellationToken _connectionClosing;
    private ImapWriter _writer = null!;
    private MailboxView? _view;
    private bool _allowExpunges = true;
    private bool _condStore;
    private bool _utf8;
    private bool _rev2;
    private int _unauthenticatedCommands;

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

    private bool AuthenticationAllowed => _transport.IsSecure || _options.AllowCleartextAuthentication;

    public string Capabilities
    {
        get
        {
            var capabilities = new List<string> { "IMAP4rev1", "IMAP4rev2" };
            if (State == SessionState.NotAuthenticated)
            {
                if (_transport.CanStartTls && !_transport.IsSecure)
                {
                    capabilities.Add("STARTTLS");
                }

                if (AuthenticationAllowed)
                {
                    capabilities.Add("AUTH=PLAIN");
                    capabilities.Add("SASL-IR");
                }
                else
                {
                    capabilities.Add("LOGINDISABLED");
                }
            }

            capabilities.AddRange(["LITERAL+", "ID", "ENABLE", "IDLE", "NAMESPACE", "UIDPLUS", "MOVE", "UNSELECT", "SPECIAL-USE",
                "LIST-EXTENDED", "LIST-STATUS", "XLIST", "CONDSTORE", "ESEARCH", "UTF8=ACCEPT", "BINARY", "CHILDREN"]);
            if (State != SessionState.NotAuthenticated)
            {
                capabilities.Add("APPENDLIMIT=" + _options.Limits.MaxLiteralSize);
            }

            return string.Join(' ', capabilities);
        }
    }

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
                    if (result.Fatal)
                    {
                        _writer.Raw($"* BYE {code}{result.Error}\r\n");
                        await FlushAsync(cancellationToken).ConfigureAwait(false);
                        return;
                    }

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
        _reader = PipeReader.Create(_transport.Stream, new StreamPipeReaderOptions(leaveOpen: true, bufferSize: 16 * 1024));
        _pipe = PipeWriter.Create(_transport.Stream, new StreamPipeWriterOptions(leaveOpen: true));
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
    }

    private async Task ExecuteAsync(ImapCommand command, CancellationToken cancellationToken)
    {
        if (!CommandTable.IsAllowed(State, command.Name))
        {
            Tagged(command.Tag, ImapStatus.Bad, $"{command.Name} is not allowed {StateText(command.Name)}");
            return;
        }

        var succeeded = false;
        try
        {
            succeeded = await DispatchAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (ImapException e)
        {
            if (State == SessionState.Selected && e.Status == ImapStatus.No && command.Name is not ("SELECT" or "EXAMINE"))
            {
                await PollAsync(false, cancellationToken).ConfigureAwait(false);
            }

            Tagged(command.Tag, e.Status, e.Message, e.Code);
        }
        catch (Exception e) when (e is not (IOException or ObjectDisposedException or OperationCanceledException))
        {
            // A storage failure: this command fails, the session goes on.
            _options.OnError?.Invoke(command, e);
            Tagged(command.Tag, ImapStatus.No, "Temporary server failure; try again", "UNAVAILABLE");
        }

        State = CommandTable.Next(State, command.Name, succeeded);
        if (State != SessionState.Selected && _view is not null && command.Name is "SELECT" or "EXAMINE" or "CLOSE" or "UNSELECT")
        {
            _view = null;
            _pendingExpunges.Clear();
        }
    }

    private string StateText(string command) =>
        !CommandTable.IsAllowed(SessionState.Selected, command) ? "now"
        : State == SessionState.NotAuthenticated ? "before logging in"
        : "without a selected mailbox";

    private async Task<bool> DispatchAsync(ImapCommand c, CancellationToken ct)
    {
        switch (c.Name)
        {
            case "CAPABILITY":
                _writer.Raw("* CAPABILITY ").Raw(Capabilities).Crlf();
                return await OkAsync(c, "CAPABILITY completed", ct).ConfigureAwait(false);
            case "NOOP":
            case "CHECK":
                if (State == SessionState.Selected)
                {
                    await PollAsync(true, ct).ConfigureAwait(false);
                }

                Tagged(c.Tag, ImapStatus.Ok, $"{c.Name} completed");
                return true;
            case "LOGOUT":
                _writer.Raw("* BYE Logging out\r\n"u8);
                Tagged(c.Tag, ImapStatus.Ok, "LOGOUT completed");
                return true;
            case "ID":
                _writer.Raw("* ID (\"name\" \"Encimap\")\r\n"u8);
                return await OkAsync(c, "ID completed", ct).ConfigureAwait(false);
            case "ENABLE":
                return await EnableAsync(c, (EnableArguments)c.Arguments, ct).ConfigureAwait(false);
            case "STARTTLS":
                return await StartTlsAsync(c, ct).ConfigureAwait(false);
            case "LOGIN":
            {
                var login = (LoginArguments)c.Arguments;
                return await LoginAsync(c, login.Username, login.Password, ct).ConfigureAwait(false);
            }

            case "AUTHENTICATE":
                return await AuthenticateAsync(c, (AuthenticateArguments)c.Arguments, ct).ConfigureAwait(false);
            case "NAMESPACE":
                _writer.Raw("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"u8);
                return await OkAsync(c, "NAMESPACE completed", ct).ConfigureAwait(false);
            case "LIST":
            case "XLIST":
            case "LSUB":
                return await ListAsync(c, (ListArguments)c.Arguments, ct).ConfigureAwait(false);
            case "CREATE":
                await _backend.CreateAsync(MailboxName(((MailboxArguments)c.Arguments).Mailbox, forCreate: true), ct).ConfigureAwait(false);
                return await OkAsync(c, "CREATE completed", ct).ConfigureAwait(false);
            case "DELETE":
                await _backend.DeleteAsync(MailboxName(((MailboxArguments)c.Arguments).Mailbox), ct).ConfigureAwait(false);
                return await OkAsync(c, "DELETE completed", ct).ConfigureAwait(false);
            case "RENAME":
            {
                var rename = (RenameArguments)c.Arguments;
                await _backend.RenameAsync(MailboxName(rename.From), MailboxName(rename.To, forCreate: true), ct).ConfigureAwait(false);
                return await OkAsync(c, "RENAME completed", ct).ConfigureAwait(false);
            }

            case "SUBSCRIBE":
            case "UNSUBSCRIBE":
                await _backend.SetSubscribedAsync(MailboxName(((MailboxArguments)c.Arguments).Mailbox), c.Name == "SUBSCRIBE", ct).ConfigureAwait(false);
                return await OkAsync(c, $"{c.Name} completed", ct).ConfigureAwait(false);
            case "STATUS":
                return await StatusAsync(c, (StatusArguments)c.Arguments, ct).ConfigureAwait(false);
            case "APPEND":
                return await AppendAsync(c, (AppendArguments)c.Arguments, ct).ConfigureAwait(false);
            case "SELECT":
            case "EXAMINE":
                return await SelectAsync(c, (SelectArguments)c.Arguments, ct).ConfigureAwait(false);
            case "IDLE":
                return await IdleAsync(c, ct).ConfigureAwait(false);
            case "CLOSE":
                if (!_view!.ReadOnly)
                {
                    // CLOSE expunges silently (RFC 3501 §6.4.2).
                    await _backend.ExpungeAsync(null, ct).ConfigureAwait(false);
                }

                await _backend.UnselectAsync(ct).ConfigureAwait(false);
                Tagged(c.Tag, ImapStatus.Ok, "CLOSE completed");
                return true;
            case "UNSELECT":
                await _backend.UnselectAsync(ct).ConfigureAwait(false);
                Tagged(c.Tag, ImapStatus.Ok, "UNSELECT completed");
                return true;
            case "EXPUNGE":
                return await ExpungeAsync(c, ct).ConfigureAwait(false);
            case "SEARCH":
                return await SearchAsync(c, (SearchArguments)c.Arguments, ct).ConfigureAwait(false);
            case "FETCH":
                return await FetchAsync(c, (FetchArguments)c.Arguments, ct).ConfigureAwait(false);
            case "STORE":
                return await StoreAsync(c, (StoreArguments)c.Arguments, ct).ConfigureAwait(false);
            case "COPY":
            case "MOVE":
                return await CopyAsync(c, (CopyArguments)c.Arguments, ct).ConfigureAwait(false);
            default:
                Tagged(c.Tag, ImapStatus.Bad, "unknown command");
                return false;
        }
    }

    /// <summary>Sends pending updates (in the selected state), then the tagged OK.</summary>
    private async Task<bool> OkAsync(ImapCommand c, string text, CancellationToken ct, string? code = null)
    {
        if (State == SessionState.Selected)
        {
            var expungeForbidden = !c.Uid && c.Name is "FETCH" or "STORE" or "SEARCH";
            await PollAsync(false, ct, allowExpunges: !expungeForbidden).ConfigureAwait(false);
        }

        Tagged(c.Tag, ImapStatus.Ok, text, code);
        return true;
    }

    // ---- any state / not authenticated --------------------------------------------------------

    private async Task<bool> EnableAsync(ImapCommand c, EnableArguments arguments, CancellationToken ct)
    {
        if (State == SessionState.NotAuthenticated)
        {
            Tagged(c.Tag, ImapStatus.Bad, "ENABLE needs authentication");
            return false;
        }

        var enabled = new List<string>();
        foreach (var capability in arguments.Capabilities)
        {
            switch (capability)
            {
                case "CONDSTORE":
                    _condStore = true;
                    if (_view is not null)
                    {
                        _view.CondStore = true;
                    }

                    enabled.Add(capability);
                    break;
                case "UTF8=ACCEPT":
                    _utf8 = true;
                    _writer.Utf8 = true;
                    enabled.Add(capability);
                    break;
                case "IMAP4REV2":
                    _rev2 = true;
                    _utf8 = true;
                    _writer.Utf8 = true;
                    enabled.Add("IMAP4rev2");
                    break;
            }
        }

        _writer.Raw("* ENABLED").Raw(string.Concat(enabled.Select(e => " " + e))).Crlf();
        return await OkAsync(c, "ENABLE completed", ct).ConfigureAwait(false);
    }

    private async Task<bool> StartTlsAsync(ImapCommand c, CancellationToken ct)
    {
        if (!_transport.CanStartTls || _transport.IsSecure)
        {
            Tagged(c.Tag, ImapStatus.Bad, "TLS is already active or not available");
            return false;
        }

        Tagged(c.Tag, ImapStatus.Ok, "Begin TLS negotiation now");
        await FlushAsync(ct).ConfigureAwait(false);
        // Anything the client sent after STARTTLS, before the handshake, is discarded (command injection).
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _pipe.CompleteAsync().ConfigureAwait(false);
        await _transport.StartTlsAsync(ct).ConfigureAwait(false);
        AttachStream();
        return true;
    }

    private async Task<bool> LoginAsync(ImapCommand c, string username, string password, CancellationToken ct)
    {
        if (!AuthenticationAllowed)
        {
            Tagged(c.Tag, ImapStatus.No, "Log in after STARTTLS", "PRIVACYREQUIRED");
            return false;
        }

        if (!await _backend.LoginAsync(username, password, ct).ConfigureAwait(false))
        {
            Tagged(c.Tag, ImapStatus.No, "Invalid credentials", "AUTHENTICATIONFAILED");
            return false;
        }

        Username = username;
        State = SessionState.Authenticated;
        Tagged(c.Tag, ImapStatus.Ok, "Logged in", "CAPABILITY " + Capabilities);
        return true;
    }

    private async Task<bool> AuthenticateAsync(ImapCommand c, AuthenticateArguments arguments, CancellationToken ct)
    {
        if (arguments.Mechanism != "PLAIN")
        {
            Tagged(c.Tag, ImapStatus.No, "Unsupported mechanism", "CANNOT");
            return false;
        }

        if (!AuthenticationAllowed)
        {
            Tagged(c.Tag, ImapStatus.No, "Authenticate after STARTTLS", "PRIVACYREQUIRED");
            return false;
        }

        var response = arguments.InitialResponse;
        if (response is null)
        {
            _writer.Raw("+ \r\n"u8);
            await FlushAsync(ct).ConfigureAwait(false);
            response = await ReadLineAsync(ct).ConfigureAwait(false);
            if (response is null)
            {
                throw new IOException("connection closed");
            }
        }

        if (response == "*")
        {
            Tagged(c.Tag, ImapStatus.Bad, "Authentication cancelled");
            return false;
        }

        byte[] decoded;
        try
        {
            decoded = response == "=" ? [] : Convert.FromBase64String(response);
        }
        catch (FormatException)
        {
            Tagged(c.Tag, ImapStatus.Bad, "Invalid base64");
            return false;
        }

        var parts = Encoding.UTF8.GetString(decoded).Split('\0');
        if (parts.Length != 3 || (parts[0].Length > 0 && parts[0] != parts[1]))
        {
            Tagged(c.Tag, ImapStatus.No, "Invalid credentials", "AUTHENTICATIONFAILED");
            return false;
        }

        return await LoginAsync(c, parts[1], parts[2], ct).ConfigureAwait(false);
    }

    // ---- authenticated ------------------------------------------------------------------------

    private string MailboxName(string raw, bool forCreate = false)
    {
        var name = raw;
        if (!_utf8)
        {
            name = ModifiedUtf7.Decode(raw) ?? throw ImapException.No("Invalid mailbox name (modified UTF-7)", "CANNOT");
        }

        if (name.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            return "INBOX";
        }

        if (forCreate)
        {
            name = name.TrimEnd('/');
            if (name.Length == 0 || name.Length > 255 || name.Contains("//", StringComparison.Ordinal) || name.StartsWith('/') ||
                name.Any(ch => ch < 0x20 || ch is '*' or '%'))
            {
                throw ImapException.No("Invalid mailbox name", "CANNOT");
            }
        }

        return name;
    }

    private string WireName(string name) => _utf8 ? name : ModifiedUtf7.Encode(name);

    private async Task<bool> ListAsync(ImapCommand c, ListArguments arguments, CancellationToken ct)
    {
        var response = c.Name;
        var lsub = c.Name == "LSUB";
        var xlist = c.Name == "XLIST";
        if (arguments.Patterns.Count == 1 && arguments.Patterns[0].Length == 0 && arguments.Selection == ListSelection.None)
        {
            // LIST "" "": the hierarchy delimiter and root.
            _writer.Raw($"* {response} (\\Noselect) \"/\" \"\"\r\n");
            return await OkAsync(c, $"{response} completed", ct).ConfigureAwait(false);
        }

        var mailboxes = await _backend.ListMailboxesAsync(ct).ConfigureAwait(false);
        var names = mailboxes.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var reference = _utf8 ? arguments.Reference : ModifiedUtf7.Decode(arguments.Reference) ?? arguments.Reference;
        var patterns = arguments.Patterns.Select(p => reference + (_utf8 ? p : ModifiedUtf7.Decode(p) ?? p)).ToList();
        var subscribedOnly = lsub || (arguments.Selection & ListSelection.Subscribed) != 0;
        var specialOnly = (arguments.Selection & ListSelection.SpecialUse) != 0;
        var returnSubscribed = (arguments.Return & ListReturn.Subscribed) != 0 || (arguments.Selection & ListSelection.Subscribed) != 0;
        foreach (var mailbox in mailboxes.OrderBy(m => m.Name == "INBOX" ? "" : m.Name, StringComparer.Ordinal))
        {
            if (!patterns.Any(p => Wildcard.Matches(p, mailbox.Name)))
            {
                continue;
            }

            if ((subscribedOnly && !mailbox.Subscribed) || (specialOnly && mailbox.SpecialUse is null))
            {
                continue;
            }

            var attributes = new List<string>();
            var hasChildren = names.Any(n => n.StartsWith(mailbox.Name + "/", StringComparison.Ordinal));
            if (!lsub)
            {
                attributes.Add(hasChildren ? @"\HasChildren" : @"\HasNoChildren");
            }

            if (returnSubscribed && mailbox.Subscribed)
            {
                attributes.Add(@"\Subscribed");
            }

            if (mailbox.SpecialUse is { } special && !lsub)
            {
                attributes.Add(xlist && special == @"\Junk" ? @"\Spam" : special);
            }

            if (xlist && mailbox.Name == "INBOX")
            {
                attributes.Add(@"\Inbox");
            }

            _writer.Raw("* ").Raw(response).Space().FlagList(attributes).Raw(" \"/\" "u8).AString(WireName(mailbox.Name)).Crlf();
            if ((arguments.Return & ListReturn.Status) != 0 && arguments.ReturnStatus is { } items)
            {
                var status = await _backend.StatusAsync(mailbox.Name, ct).ConfigureAwait(false);
                WriteStatus(mailbox.Name, items, status);
            }
        }

        return await OkAsync(c, $"{response} completed", ct).ConfigureAwait(false);
    }

    private async Task<bool> StatusAsync(ImapCommand c, StatusArguments arguments, CancellationToken ct)
    {
        var name = MailboxName(arguments.Mailbox);
        var status = await _backend.StatusAsync(name, ct).ConfigureAwait(false);
        WriteStatus(name, arguments.Items, status);
        return await OkAsync(c, "STATUS completed", ct).ConfigureAwait(false);
    }

    private void WriteStatus(string name, IReadOnlyList<string> items, MailboxStatus status)
    {
        _writer.Raw("* STATUS ").AString(WireName(name)).Raw(" ("u8);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                _writer.Space();
            }

            _writer.Raw(items[i]).Space();
            switch (items[i])
            {
                case "MESSAGES": _writer.Number((long)status.Messages); break;
                case "RECENT": _writer.Number(0L); break;
                case "UIDNEXT": _writer.Number((long)status.UidNext); break;
                case "UIDVALIDITY": _writer.Number((long)status.UidValidity); break;
                case "UNSEEN": _writer.Number((long)status.Unseen); break;
                case "HIGHESTMODSEQ": _writer.Number(status.HighestModSeq); break;
                case "SIZE": _writer.Number(status.Size); break;
                case "DELETED": _writer.Number((long)status.Deleted); break;
            }
        }

        _writer.Raw(")\r\n"u8);
    }

    private async Task<bool> AppendAsync(ImapCommand c, AppendArguments arguments, CancellationToken ct)
    {
        var flags = arguments.Flags.Where(f => f != Flags.Recent).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var result = await _backend.AppendAsync(MailboxName(arguments.Mailbox), flags, arguments.InternalDate, arguments.Message, ct).ConfigureAwait(false);
        return await OkAsync(c, "APPEND completed", ct, $"APPENDUID {result.UidValidity} {result.Uid}").ConfigureAwait(false);
    }

    private async Task<bool> SelectAsync(ImapCommand c, SelectArguments arguments, CancellationToken ct)
    {
        if (_view is not null)
        {
            await _backend.UnselectAsync(ct).ConfigureAwait(false);
            _view = null;
            _pendingExpunges.Clear();
            _writer.Raw("* OK [CLOSED] Previous mailbox closed\r\n"u8);
        }

        var readOnly = c.Name == "EXAMINE";
        var name = MailboxName(arguments.Mailbox);
        var data = await _backend.SelectAsync(name, readOnly, ct).ConfigureAwait(false);
        _view = new MailboxView(name, data.UidValidity, data.Uids, readOnly) { CondStore = _condStore || arguments.CondStore };
        if (arguments.CondStore)
        {
            _condStore = true;
        }

        var flags = Flags.System.Concat(data.Keywords).ToList();
        _writer.Raw("* FLAGS ").FlagList(flags).Crlf();
        _writer.Raw("* OK [PERMANENTFLAGS ").FlagList(readOnly ? [] : flags.Append(@"\*")).Raw("] Flags permitted\r\n"u8);
        _writer.Raw("* ").Number((long)_view.Count).Raw(" EXISTS\r\n"u8);
        if (!_rev2)
        {
            _writer.Raw("* 0 RECENT\r\n"u8);
        }

        if (data.FirstUnseenUid is { } unseen && _view.SequenceOf(unseen) is var seq && seq > 0 && !_rev2)
        {
            _writer.Raw("* OK [UNSEEN ").Number((long)seq).Raw("] First unseen\r\n"u8);
        }

        _writer.Raw("* OK [UIDVALIDITY ").Number((long)data.UidValidity).Raw("] UIDs valid\r\n"u8);
        _writer.Raw("* OK [UIDNEXT ").Number((long)data.UidNext).Raw("] Predicted next UID\r\n"u8);
        _writer.Raw("* OK [HIGHESTMODSEQ ").Number(data.HighestModSeq).Raw("] Highest\r\n"u8);
        if (_rev2)
        {
            _writer.Raw("* LIST () \"/\" ").AString(WireName(name)).Crlf();
        }

        State = SessionState.Selected;
        Tagged(c.Tag, ImapStatus.Ok, $"{c.Name} completed", readOnly ? "READ-ONLY" : "READ-WRITE");
        return true;
    }

    private async Task<bool> IdleAsync(ImapCommand c, CancellationToken ct)
    {
        _writer.Raw("+ idling\r\n"u8);
        await FlushAsync(ct).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task idle = Task.CompletedTask;
        if (State == SessionState.Selected && _backend is IImapIdleSession idler)
        {
            _allowExpunges = true;
            await PollAsync(false, ct).ConfigureAwait(false);
            await FlushAsync(ct).ConfigureAwait(false);
            idle = idler.IdleAsync(this, stop.Token);
        }

        string? line;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(_options.Limits.IdleTimeout);
            try
            {
                line = await ReadLineAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                line = null;
            }
            finally
            {
                stop.Cancel();
                try
                {
                    await idle.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        if (line is null)
        {
            _writer.Raw("* BYE Autologout; idle for too long\r\n"u8);
            State = SessionState.Logout;
            return false;
        }

        if (!line.Trim().Equals("DONE", StringComparison.OrdinalIgnoreCase))
        {
            Tagged(c.Tag, ImapStatus.Bad, "Expected DONE");
            return false;
        }

        return await OkAsync(c, "IDLE terminated", ct).ConfigureAwait(false);
    }

    // ---- selected -------------------------------------------------------------------------------

    private void RequireWritable()
    {
        if (_view!.ReadOnly)
        {
            throw ImapException.No("Mailbox is read-only", "READ-ONLY");
        }
    }

    private IReadOnlyList<UidRange> Resolve(SequenceSet set, bool uid) =>
        _view!.Resolve(set, uid) ?? throw new ImapException(ImapStatus.Bad, null, "Invalid message sequence number");

    private async Task<bool> ExpungeAsync(ImapCommand c, CancellationToken ct)
    {
        RequireWritable();
        IReadOnlyList<UidRange>? ranges = c.Arguments is ExpungeArguments e ? Resolve(e.UidSet, uid: true) : null;
        var expunged = await _backend.ExpungeAsync(ranges, ct).ConfigureAwait(false);
        foreach (var uid in expunged.Order())
        {
            Expunged(uid);
        }

        return await OkAsync(c, "EXPUNGE completed", ct).ConfigureAwait(false);
    }

    private async Task<bool> SearchAsync(ImapCommand c, SearchArguments arguments, CancellationToken ct)
    {
        if (arguments.Charset is { } charset && charset is not ("UTF-8" or "US-ASCII"))
        {
            Tagged(c.Tag, ImapStatus.No, "Unsupported charset", "BADCHARSET (UTF-8 US-ASCII)");
            return false;
        }

        var criteria = ResolveSearch(arguments.Criteria);
        var usesModSeq = SearchEvaluator.UsesModSeq(criteria);
        if (usesModSeq)
        {
            _condStore = true;
            _view!.CondStore = true;
        }

        var matches = await _backend.SearchAsync(criteria, ct).ConfigureAwait(false);
        var known = matches.Where(m => _view!.SequenceOf(m.Uid) > 0).OrderBy(m => m.Uid).ToList();
        var numbers = known.Select(m => c.Uid ? m.Uid : _view!.SequenceOf(m.Uid)).ToList();
        var highest = known.Count > 0 ? known.Max(m => m.ModSeq) : 0UL;
        var returns = arguments.Return ?? (_rev2 ? SearchReturn.All : (SearchReturn?)null);
        if (returns is null)
        {
            _writer.Raw("* SEARCH"u8);
            foreach (var n in numbers)
            {
                _writer.Space().Number((long)n);
            }

            if (usesModSeq && numbers.Count > 0)
            {
                _writer.Raw(" (MODSEQ ").Number(highest).Byte(')');
            }

            _writer.Crlf();
        }
        else
        {
            var value = returns.Value == SearchReturn.Save ? SearchReturn.Save : returns.Value;
            _writer.Raw("* ESEARCH (TAG ").String(c.Tag).Byte(')');
            if (c.Uid)
            {
                _writer.Raw(" UID"u8);
            }

            if (numbers.Count > 0)
            {
                if ((value & SearchReturn.Min) != 0)
                {
                    _writer.Raw(" MIN ").Number((long)numbers.Min());
                }

                if ((value & SearchReturn.Max) != 0)
                {
                    _writer.Raw(" MAX ").Number((long)numbers.Max());
                }

                if ((value & SearchReturn.All) != 0)
                {
                    _writer.Raw(" ALL ").Raw(SequenceSet.Compress(numbers));
                }
            }

            if ((value & SearchReturn.Count) != 0)
            {
                _writer.Raw(" COUNT ").Number((long)numbers.Count);
            }

            if (usesModSeq && numbers.Count > 0)
            {
                _writer.Raw(" MODSEQ ").Number(highest);
            }

            _writer.Crlf();
        }

        return await OkAsync(c, "SEARCH completed", ct).ConfigureAwait(false);
    }

    /// <summary>Replaces message-number sets by the UID ranges they designate for this session.</summary>
    private SearchKey ResolveSearch(SearchKey key) => key switch
    {
        SearchSet { Uid: false } s => new SearchSet(new SequenceSet(Resolve(s.Set, uid: false).Select(r => new SequenceRange(r.First, r.Last)).ToArray()), true),
        SearchSet { Uid: true } s => new SearchSet(new SequenceSet(Resolve(s.Set, uid: true).Select(r => new SequenceRange(r.First, r.Last)).ToArray()), true),
        SearchNot n => new SearchNot(ResolveSearch(n.Key)),
        SearchOr o => new SearchOr(ResolveSearch(o.Left), ResolveSearch(o.Right)),
        SearchAnd a => new SearchAnd(new EquatableList<SearchKey>(a.Keys.Select(ResolveSearch))),
        _ => key,
    };

    private async Task<bool> FetchAsync(ImapCommand c, FetchArguments arguments, CancellationToken ct)
    {
        var items = arguments.Items;
        if (arguments.ChangedSince is not null || items.Contains(FetchItem.ModSeq))
        {
            _condStore = true;
            _view!.CondStore = true;
        }

        var ranges = Resolve(arguments.Set, c.Uid);
        var setSeen = !_view!.ReadOnly && items.Any(i => i.SetsSeen);
        if (setSeen && !items.Contains(FetchItem.Flags))
        {
            items = new EquatableList<FetchItem>(items.Append(FetchItem.Flags));
        }

        var writer = new FetchWriter(_writer, _pipe, _view, items);
        await _backend.FetchAsync(writer, ranges, new FetchOptions(arguments.ChangedSince, setSeen), ct).ConfigureAwait(false);
        return await OkAsync(c, "FETCH completed", ct).ConfigureAwait(false);
    }

    private async Task<bool> StoreAsync(ImapCommand c, StoreArguments arguments, CancellationToken ct)
    {
        RequireWritable();
        if (arguments.UnchangedSince is not null)
        {
            _condStore = true;
            _view!.CondStore = true;
        }

        var ranges = Resolve(arguments.Set, c.Uid);
        var flags = arguments.Flags.Where(f => f != Flags.Recent).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var result = await _backend.StoreAsync(ranges, arguments.Mode, flags, arguments.UnchangedSince, ct).ConfigureAwait(false);
        var writer = new FetchWriter(_writer, null, _view!, []);
        foreach (var update in result.Updated.OrderBy(u => u.Uid))
        {
            // .SILENT still reports MODSEQ under CONDSTORE (RFC 7162 §3.2).
            if (arguments.Silent && !_view!.CondStore)
            {
                continue;
            }

            var items = new List<FetchItem>();
            if (c.Uid)
            {
                items.Add(FetchItem.Uid);
            }

            if (!arguments.Silent)
            {
                items.Add(FetchItem.Flags);
            }

            if (_view!.CondStore)
            {
                items.Add(FetchItem.ModSeq);
            }

            writer.Write(new FetchedMessage { Uid = update.Uid, Flags = update.Flags, ModSeq = update.ModSeq }, items);
        }

        string? code = null;
        if (result.FailedUnchangedSince.Count > 0)
        {
            var numbers = result.FailedUnchangedSince.Select(u => c.Uid ? u : _view!.SequenceOf(u)).Where(n => n > 0).Order();
            code = "MODIFIED " + SequenceSet.Compress(numbers);
        }

        return await OkAsync(c, "STORE completed", ct, code).ConfigureAwait(false);
    }

    private async Task<bool> CopyAsync(ImapCommand c, CopyArguments arguments, CancellationToken ct)
    {
        var ranges = Resolve(arguments.Set, c.Uid);
        var destination = MailboxName(arguments.Mailbox);
        CopyResult result;
        if (c.Name == "MOVE")
        {
            RequireWritable();
            if (_backend is not IImapMoveSession mover)
            {
                Tagged(c.Tag, ImapStatus.Bad, "MOVE is not supported");
                return false;
            }

            result = await mover.MoveAsync(ranges, destination, ct).ConfigureAwait(false);
            if (result.SourceUids.Count > 0)
            {
                _writer.Raw($"* OK [COPYUID {result.UidValidity} {SequenceSet.Compress(result.SourceUids)} {SequenceSet.Compress(result.DestinationUids)}] Moved\r\n");
            }

            foreach (var uid in result.SourceUids.Order())
            {
                Expunged(uid);
            }

            return await OkAsync(c, "MOVE completed", ct).ConfigureAwait(false);
        }

        result = await _backend.CopyAsync(ranges, destination, ct).ConfigureAwait(false);
        var code = result.SourceUids.Count > 0
            ? $"COPYUID {result.UidValidity} {SequenceSet.Compress(result.SourceUids)} {SequenceSet.Compress(result.DestinationUids)}"
            : null;
        return await OkAsync(c, "COPY completed", ct, code).ConfigureAwait(false);
    }

    // ---- updates ----------------------------------------------------------------------------------

    private async Task PollAsync(bool force, CancellationToken ct, bool allowExpunges = true)
    {
        if (_view is null)
        {
            return;
        }

        _allowExpunges = allowExpunges;
        if (allowExpunges && _pendingExpunges.Count > 0)
        {
            foreach (var uid in _pendingExpunges.ToList())
            {
                WriteExpunge(uid);
            }

            _pendingExpunges.Clear();
        }

        await _backend.PollAsync(this, force, ct).ConfigureAwait(false);
        _allowExpunges = true;
    }

    void IUpdateSink.Exists(IReadOnlyList<uint> newUids)
    {
        if (_view is null || newUids.Count == 0)
        {
            return;
        }

        var before = _view.Count;
        var count = _view.Append(newUids);
        if (count != before)
        {
            _writer.Raw("* ").Number((long)count).Raw(" EXISTS\r\n"u8);
        }
    }

    /// <summary>An expunge: sent now if allowed, else held until the next command that allows it.</summary>
    public void Expunged(uint uid)
    {
        if (_view is null)
        {
            return;
        }

        if (_allowExpunges)
        {
            WriteExpunge(uid);
        }
        else if (!_pendingExpunges.Contains(uid))
        {
            _pendingExpunges.Add(uid);
        }
    }

    private void WriteExpunge(uint uid)
    {
        var sequence = _view!.Remove(uid);
        if (sequence > 0)
        {
            _writer.Raw("* ").Number((long)sequence).Raw(" EXPUNGE\r\n"u8);
        }
    }

    void IUpdateSink.FlagsChanged(FlagUpdate update)
    {
        if (_view is null || _pendingExpunges.Contains(update.Uid))
        {
            return;
        }

        var items = new List<FetchItem> { FetchItem.Uid, FetchItem.Flags };
        if (_view.CondStore)
        {
            items.Add(FetchItem.ModSeq);
        }

        new FetchWriter(_writer, null, _view, items).Write(new FetchedMessage { Uid = update.Uid, Flags = update.Flags, ModSeq = update.ModSeq }, items);
    }

    /// <summary>
    /// Flushes with the connection's token, not the caller's: IDLE's updates are flushed by a loop
    /// that DONE cancels, and a write cut short by DONE could leave part of a TLS record behind or
    /// keep the next response (the tagged OK) from being sent.
    /// </summary>
    async ValueTask IUpdateSink.FlushAsync(CancellationToken cancellationToken) => await FlushAsync(_connectionClosing).ConfigureAwait(false);
}

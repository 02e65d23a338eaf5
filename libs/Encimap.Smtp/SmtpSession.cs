using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace Encimap.Smtp;

/// <summary>
/// The protocol state machine of one SMTP session. It knows the rules (the order of commands in
/// <see cref="SmtpStateTable"/>, TLS and AUTH requirements, limits, reply codes) and calls the
/// backends for every decision outside the protocol; it does no I/O, so that it can be driven
/// from a socket host or directly from a test.
/// </summary>
public sealed class SmtpSession : IDisposable
{
    private readonly SmtpServerOptions _options;
    private readonly SmtpBackends _backends;
    private readonly Activity? _sessionActivity;
    private readonly List<string> _recipients = [];
    private readonly KeyValuePair<string, object?> _listenerTag;
    private MailCommand? _mail;
    private Activity? _transactionActivity;
    private MessageSpool? _spool;
    private MessageSpoolWriter? _message;
    private SmtpLineBreakChecker? _chunkLineBreaks;
    private bool _chunkTooLarge;
    private bool _lastChunk;
    private string? _authMechanism;
    private string? _authUser;
    private int _errors;

    public SmtpSession(SmtpServerOptions options, SmtpBackends backends, SmtpSessionContext context, Activity? sessionActivity = null)
    {
        _options = options;
        _backends = backends;
        Context = context;
        _sessionActivity = sessionActivity;
        _listenerTag = new("smtp.listener", options.Name);
    }

    public SmtpSessionContext Context { get; }

    public SmtpSessionState State { get; private set; } = SmtpSessionState.Connected;

    public bool TlsAvailable => _options.TlsCertificate is not null && !Context.IsTls;

    public bool AuthOffered => _options.EnableAuth && _backends.Authenticator is not null && (Context.IsTls || !_options.AuthRequiresTls);

    public int ErrorCount => _errors;

    public SmtpEnvelope? Envelope => _mail is null ? null : new SmtpEnvelope(_mail.ReversePath, _recipients.ToArray(), _mail.Body, _mail.SmtpUtf8, _mail.Size);

    public SmtpReply Greeting() => new(220, null, $"{_options.HostName} ESMTP");

    public async ValueTask<SmtpStep> HandleCommandAsync(SmtpCommand command, CancellationToken cancellationToken)
    {
        Activity.Current = _transactionActivity ?? _sessionActivity;
        if (command is InvalidCommand invalid)
        {
            return Refuse(invalid.Reply);
        }

        if (SmtpStateTable.Check(State, command.Verb) is { } refusal)
        {
            return command is BdatCommand bdat
                ? Count(new SmtpStep(refusal, SmtpNext.DiscardBdatChunk, bdat.Size))
                : Refuse(refusal);
        }

        try
        {
            return command switch
            {
                EhloCommand ehlo => Hello(ehlo.Domain, extended: true),
                HeloCommand helo => Hello(helo.Domain, extended: false),
                MailCommand mail => await MailAsync(mail, cancellationToken).ConfigureAwait(false),
                RcptCommand rcpt => await RcptAsync(rcpt, cancellationToken).ConfigureAwait(false),
                DataCommand => new SmtpStep(SmtpReply.StartData, SmtpNext.Data),
                BdatCommand bdat => Bdat(bdat),
                RsetCommand => Reset(SmtpReply.Ok),
                NoopCommand => new SmtpStep(SmtpReply.Ok),
                QuitCommand => Quit(),
                VrfyCommand => new SmtpStep(SmtpReply.VrfyDisabled),
                ExpnCommand => Refuse(SmtpReply.ExpnDisabled),
                HelpCommand => new SmtpStep(new SmtpReply(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH; see RFC 5321")),
                StartTlsCommand => StartTls(),
                AuthCommand auth => await AuthAsync(auth, cancellationToken).ConfigureAwait(false),
                _ => Refuse(SmtpReply.CommandUnrecognized),
            };
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _transactionActivity?.AddException(e);
            return Refuse(SmtpReply.TemporaryError);
        }
    }

    /// <summary>Called by the host once the TLS handshake succeeded: the session starts over (RFC 3207 §4.2).</summary>
    public void OnTlsStarted()
    {
        Context.IsTls = true;
        Context.HeloName = null;
        Context.IsExtended = false;
        EndTransaction(null);
        State = SmtpSessionState.Connected;
    }

    /// <summary>A decoder that writes the DATA content into this session's message spool.</summary>
    public SmtpDataDecoder BeginData() => new(BeginMessage(), _options.MaxMessageSize);

    public async ValueTask<SmtpStep> CompleteDataAsync(SmtpDataDecoder decoder, CancellationToken cancellationToken)
    {
        Activity.Current = _transactionActivity ?? _sessionActivity;
        switch (decoder.Status)
        {
            case SmtpDataStatus.BareLineFeed:
                return Fatal(SmtpReply.BareLineFeed);
            case SmtpDataStatus.BareCarriageReturn:
                return Fatal(SmtpReply.BareCarriageReturn);
            case SmtpDataStatus.Complete when decoder.TooLarge:
                return Reject(SmtpReply.MessageTooLarge);
            case SmtpDataStatus.Complete:
                return await DeliverAsync(cancellationToken).ConfigureAwait(false);
            default:
                throw new InvalidOperationException("The DATA content is not complete.");
        }
    }

    /// <summary>Adds octets of the current BDAT chunk (the host calls this until the chunk's size is reached).</summary>
    public void AppendChunk(ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            _chunkLineBreaks!.Check(segment.Span);
            if (!_chunkTooLarge)
            {
                if (_message!.Length + segment.Length > _options.MaxMessageSize)
                {
                    _chunkTooLarge = true;
                }
                else
                {
                    _message.Write(segment.Span);
                }
            }
        }
    }

    public async ValueTask<SmtpStep> CompleteChunkAsync(CancellationToken cancellationToken)
    {
        Activity.Current = _transactionActivity ?? _sessionActivity;
        var lineBreaks = _lastChunk ? _chunkLineBreaks!.Finish() : _chunkLineBreaks!.Status;
        if (lineBreaks == SmtpDataStatus.BareLineFeed)
        {
            return Fatal(SmtpReply.BareLineFeed);
        }

        if (lineBreaks == SmtpDataStatus.BareCarriageReturn)
        {
            return Fatal(SmtpReply.BareCarriageReturn);
        }

        if (_chunkTooLarge)
        {
            return Reject(SmtpReply.MessageTooLarge);
        }

        if (!_lastChunk)
        {
            State = SmtpSessionState.Chunking;
            return new SmtpStep(new SmtpReply(250, "2.0.0", $"{_message!.Length} octets received"));
        }

        return await DeliverAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<SmtpStep> HandleAuthResponseAsync(string line, CancellationToken cancellationToken)
    {
        Activity.Current = _sessionActivity;
        if (line == "*")
        {
            _authMechanism = null;
            return Refuse(SmtpReply.AuthAborted);
        }

        if (!TryBase64(line, out var decoded))
        {
            _authMechanism = null;
            return Refuse(SmtpReply.AuthCannotDecode);
        }

        return await ContinueAuthAsync(decoded, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the session's transaction (the connection is closing).</summary>
    public void Dispose() => EndTransaction("session ended");

    private SmtpStep Hello(string domain, bool extended)
    {
        EndTransaction(null);
        Context.HeloName = domain;
        Context.IsExtended = extended;
        State = SmtpSessionState.Ready;
        if (!extended)
        {
            return new SmtpStep(new SmtpReply(250, null, _options.HostName));
        }

        var lines = new List<string>
        {
            $"{_options.HostName}",
            "PIPELINING",
            $"SIZE {_options.MaxMessageSize}",
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
            "CHUNKING",
        };
        if (TlsAvailable)
        {
            lines.Add("STARTTLS");
        }

        if (AuthOffered)
        {
            lines.Add("AUTH PLAIN LOGIN");
        }

        lines.Add("HELP");
        return new SmtpStep(new SmtpReply(250, null, [.. lines]));
    }

    private async ValueTask<SmtpStep> MailAsync(MailCommand mail, CancellationToken cancellationToken)
    {
        if (_options.RequireTls && !Context.IsTls)
        {
            return Refuse(SmtpReply.TlsRequired);
        }

        if (_options.RequireAuth && Context.Principal is null)
        {
            return Refuse(SmtpReply.AuthRequired);
        }

        if (mail.Size > _options.MaxMessageSize)
        {
            return Refuse(SmtpReply.MessageTooLarge);
        }

        if (mail.Body == SmtpBodyType.BinaryMime)
        {
            return Refuse(new SmtpReply(555, "5.5.4", "Error: BODY=BINARYMIME is not supported"));
        }

        if (!mail.SmtpUtf8 && !IsAscii(mail.ReversePath))
        {
            return Refuse(SmtpReply.Utf8Required);
        }

        // A transaction is a trace of its own, linked to the session's span.
        Activity.Current = null;
        _transactionActivity = SmtpTelemetry.ActivitySource.StartActivity(
            "smtp transaction",
            ActivityKind.Server,
            parentContext: default,
            tags: [_listenerTag, new("smtp.session_id", Context.SessionId), new("smtp.client.address", Context.RemoteEndPoint.Address.ToString())],
            links: _sessionActivity is null ? null : [new ActivityLink(_sessionActivity.Context)]);
        Activity.Current = _transactionActivity;

        if (_backends.SenderPolicy is { } senderPolicy
            && await senderPolicy.CheckSenderAsync(Context, mail, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            EndTransaction(refusal.ToString());
            Activity.Current = _sessionActivity;
            return Refuse(refusal);
        }

        _mail = mail;
        _recipients.Clear();
        State = SmtpSessionState.MailGiven;
        return new SmtpStep(SmtpReply.SenderOk);
    }

    private async ValueTask<SmtpStep> RcptAsync(RcptCommand rcpt, CancellationToken cancellationToken)
    {
        if (_recipients.Count >= _options.MaxRecipients)
        {
            return RefuseRecipient(SmtpReply.TooManyRecipients);
        }

        if (!_mail!.SmtpUtf8 && !IsAscii(rcpt.ForwardPath))
        {
            return RefuseRecipient(SmtpReply.Utf8Required);
        }

        if (_backends.RecipientPolicy is { } policy
            && await policy.CheckRecipientAsync(Context, Envelope!, rcpt.ForwardPath, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            return RefuseRecipient(refusal);
        }

        _recipients.Add(rcpt.ForwardPath);
        State = SmtpSessionState.RecipientsGiven;
        return new SmtpStep(SmtpReply.RecipientOk);
    }

    private SmtpStep Bdat(BdatCommand bdat)
    {
        if (State == SmtpSessionState.RecipientsGiven)
        {
            BeginMessage();
            _chunkLineBreaks = new SmtpLineBreakChecker();
            _chunkTooLarge = false;
        }

        _lastChunk = bdat.Last;
        return new SmtpStep(null, SmtpNext.BdatChunk, bdat.Size);
    }

    private SmtpStep Quit()
    {
        EndTransaction("QUIT");
        return new SmtpStep(SmtpReply.Bye, SmtpNext.Close);
    }

    private SmtpStep StartTls()
    {
        if (Context.IsTls)
        {
            return Refuse(SmtpReply.TlsAlreadyActive);
        }

        return _options.TlsCertificate is null
            ? Refuse(SmtpReply.TlsNotAvailable)
            : new SmtpStep(SmtpReply.ReadyToStartTls, SmtpNext.StartTls);
    }

    private async ValueTask<SmtpStep> AuthAsync(AuthCommand auth, CancellationToken cancellationToken)
    {
        if (!_options.EnableAuth || _backends.Authenticator is null)
        {
            return Refuse(SmtpReply.AuthNotEnabled);
        }

        if (_options.AuthRequiresTls && !Context.IsTls)
        {
            return Refuse(SmtpReply.TlsRequired);
        }

        if (Context.Principal is not null)
        {
            return Refuse(SmtpReply.AlreadyAuthenticated);
        }

        if (auth.Mechanism is not ("PLAIN" or "LOGIN"))
        {
            return Refuse(SmtpReply.AuthMechanismUnsupported);
        }

        _authMechanism = auth.Mechanism;
        _authUser = null;
        if (auth.InitialResponse is null)
        {
            return new SmtpStep(new SmtpReply(334, null, auth.Mechanism == "PLAIN" ? "" : "VXNlcm5hbWU6"), SmtpNext.AuthResponse);
        }

        if (!TryBase64(auth.InitialResponse, out var initial))
        {
            _authMechanism = null;
            return Refuse(SmtpReply.AuthCannotDecode);
        }

        return await ContinueAuthAsync(initial, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<SmtpStep> ContinueAuthAsync(byte[] response, CancellationToken cancellationToken)
    {
        string user;
        string password;
        if (_authMechanism == "PLAIN")
        {
            // authzid NUL authcid NUL passwd (RFC 4616); an authzid other than the authcid is not supported.
            var parts = Encoding.UTF8.GetString(response).Split('\0');
            if (parts.Length != 3 || parts[1].Length == 0 || (parts[0].Length > 0 && parts[0] != parts[1]))
            {
                _authMechanism = null;
                return Refuse(SmtpReply.AuthCannotDecode);
            }

            (user, password) = (parts[1], parts[2]);
        }
        else if (_authUser is null)
        {
            _authUser = Encoding.UTF8.GetString(response);
            return new SmtpStep(new SmtpReply(334, null, "UGFzc3dvcmQ6"), SmtpNext.AuthResponse);
        }
        else
        {
            (user, password) = (_authUser, Encoding.UTF8.GetString(response));
        }

        _authMechanism = null;
        _authUser = null;
        var result = await _backends.Authenticator!.AuthenticateAsync(Context, user, password, cancellationToken).ConfigureAwait(false);
        SmtpTelemetry.Authentications.Add(1, _listenerTag, new("outcome", result.Outcome.ToString()));
        switch (result.Outcome)
        {
            case SmtpAuthOutcome.Succeeded when result.Principal is not null:
                Context.Principal = result.Principal;
                return new SmtpStep(SmtpReply.AuthSucceeded);
            case SmtpAuthOutcome.TemporaryFailure:
                return Refuse(SmtpReply.AuthTemporaryFailure);
            case SmtpAuthOutcome.LockedOut:
                return new SmtpStep(SmtpReply.AuthLockedOut, SmtpNext.Close);
            default:
                return Refuse(SmtpReply.AuthFailed);
        }
    }

    /// <summary>
    /// A new spool for the transaction's message (any earlier one is discarded): pooled memory up
    /// to <see cref="MessageSpool.DefaultMemoryLimit"/>, a temporary file past it, so that a large
    /// message never sits whole in this process's memory.
    /// </summary>
    private MessageSpoolWriter BeginMessage()
    {
        DiscardMessage();
        _spool = new MessageSpool(directory: _options.SpoolDirectory);
        _message = new MessageSpoolWriter(_spool);
        return _message;
    }

    private void DiscardMessage()
    {
        _message?.Dispose();
        _message = null;
        _spool?.Dispose();
        _spool = null;
    }

    private async ValueTask<SmtpStep> DeliverAsync(CancellationToken cancellationToken)
    {
        var envelope = Envelope!;
        var message = _spool!;
        SmtpReply reply;
        try
        {
            _message!.Flush();
            if (_message.Failure is { } failure)
            {
                throw new IOException("the message could not be spooled", failure);
            }

            reply = await _backends.MessageSink.DeliverAsync(Context, envelope, message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _transactionActivity?.AddException(e);
            reply = SmtpReply.TemporaryError;
        }

        if (!reply.IsPositive)
        {
            return Reject(reply);
        }

        // Reset ends the transaction, which disposes the spool: read its length first.
        SmtpTelemetry.MessagesAccepted.Add(1, _listenerTag);
        SmtpTelemetry.MessageSize.Record(message.Length, _listenerTag);
        return Reset(reply);
    }

    /// <summary>Refuses the message at its end: counts it, ends the transaction, counts an error.</summary>
    private SmtpStep Reject(SmtpReply reply)
    {
        SmtpTelemetry.MessagesRejected.Add(1, _listenerTag, new("reason", SmtpTelemetry.Reason(reply)));
        EndTransaction(reply.ToString());
        State = SmtpSessionState.Ready;
        return Count(new SmtpStep(reply));
    }

    /// <summary>A refusal that ends the session (bare line breaks: nothing after them can be trusted).</summary>
    private SmtpStep Fatal(SmtpReply reply)
    {
        SmtpTelemetry.MessagesRejected.Add(1, _listenerTag, new("reason", SmtpTelemetry.Reason(reply)));
        EndTransaction(reply.ToString());
        return new SmtpStep(reply, SmtpNext.Close);
    }

    private SmtpStep Reset(SmtpReply reply)
    {
        EndTransaction(null);
        if (State != SmtpSessionState.Connected)
        {
            State = SmtpSessionState.Ready;
        }

        return new SmtpStep(reply);
    }

    private SmtpStep RefuseRecipient(SmtpReply reply)
    {
        SmtpTelemetry.RecipientsRejected.Add(1, _listenerTag, new("reason", SmtpTelemetry.Reason(reply)));
        _transactionActivity?.AddEvent(new ActivityEvent("recipient refused", tags: new ActivityTagsCollection { ["smtp.reply"] = reply.ToString() }));
        return Refuse(reply);
    }

    private SmtpStep Refuse(SmtpReply reply) => Count(new SmtpStep(reply, reply.Code == 421 ? SmtpNext.Close : SmtpNext.Command));

    /// <summary>Counts a refusal; past the limit the session ends politely with 421.</summary>
    private SmtpStep Count(SmtpStep step)
    {
        if (step.Reply is { IsPositive: false } && step.Next != SmtpNext.Close && ++_errors >= _options.MaxErrors)
        {
            EndTransaction("too many errors");
            return step.Next == SmtpNext.DiscardBdatChunk
                ? step with { Reply = SmtpReply.TooManyErrors, Next = SmtpNext.Close }
                : new SmtpStep(SmtpReply.TooManyErrors, SmtpNext.Close);
        }

        return step;
    }

    private void EndTransaction(string? error)
    {
        _mail = null;
        _recipients.Clear();
        DiscardMessage();
        _chunkLineBreaks = null;
        _chunkTooLarge = false;
        if (_transactionActivity is { } activity)
        {
            if (error is not null)
            {
                activity.SetStatus(ActivityStatusCode.Error, error);
            }

            activity.Stop();
            _transactionActivity = null;
        }
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        if (text == "=")
        {
            bytes = [];
            return true;
        }

        try
        {
            bytes = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    private static bool IsAscii(string text) => Ascii.IsValid(text);
}

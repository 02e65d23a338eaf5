using System.Text;

namespace Encimap.Imap.Protocol;

// CAPABILITY, ENABLE, STARTTLS, LOGIN and AUTHENTICATE.
public sealed partial class ImapServerSession
{
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
                "LIST-EXTENDED", "LIST-STATUS", "XLIST", "CONDSTORE", "ESEARCH", "UTF8=ACCEPT", "BINARY", "CHILDREN", "MULTIAPPEND"]);
            if (_backend is IImapQresyncSession)
            {
                capabilities.Add("QRESYNC");
            }

            if (State != SessionState.NotAuthenticated)
            {
                capabilities.Add("APPENDLIMIT=" + _options.Limits.MaxLiteralSize);
            }

            return string.Join(' ', capabilities);
        }
    }

    private async Task<bool> CapabilityAsync(ImapCommand c, CancellationToken ct)
    {
        _writer.Raw("* CAPABILITY ").Raw(Capabilities).Crlf();
        return await OkAsync(c, "CAPABILITY completed", ct).ConfigureAwait(false);
    }

    private async Task<bool> IdAsync(ImapCommand c, CancellationToken ct)
    {
        _writer.Raw("* ID (\"name\" \"Encimap\")\r\n"u8);
        return await OkAsync(c, "ID completed", ct).ConfigureAwait(false);
    }

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
                    await EnableCondStoreAsync(c, ct).ConfigureAwait(false);
                    enabled.Add(capability);
                    break;
                case "UTF8=ACCEPT":
                    _utf8 = true;
                    _writer.Utf8 = true;
                    enabled.Add(capability);
                    break;
                case "QRESYNC" when _backend is IImapQresyncSession:
                    // QRESYNC implies CONDSTORE (RFC 7162 §3.2.3).
                    _qresync = true;
                    await EnableCondStoreAsync(c, ct).ConfigureAwait(false);
                    enabled.Add(capability);
                    break;
                case "IMAP4REV2":
                    _rev2 = true;
                    _view?.ForgetRecent();
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
        try
        {
            await _transport.StartTlsAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
        {
            // No TLS, and the cleartext stream is no longer usable: the connection ends here.
            _connectionLost = true;
            throw new IOException("TLS negotiation failed", e);
        }

        AttachStream();
        return true;
    }

    private Task<bool> LoginAsync(ImapCommand c, LoginArguments arguments, CancellationToken ct) =>
        LoginAsync(c, arguments.Username, arguments.Password, ct);

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
                _connectionLost = true;
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
}

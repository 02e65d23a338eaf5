// Encimap's own SMTP implementation. The SmtpServer package cannot be restored from the package
// registry this project builds against, so the protocol is ours, split as in SmtpServer/go-smtp:
// a parser (bytes to command records), a session state machine (which command is allowed in which
// state, what it answers) and a host (sockets, TLS, timeouts, limits), with everything outside
// the protocol behind narrow interfaces (IRecipientPolicy, ISenderPolicy, IMessageSink,
// ISmtpAuthenticator). Replacing it with a package later changes this project only.

using System.Text;

namespace Encimap.Smtp;

/// <summary>
/// One SMTP reply: a three-digit code, an optional RFC 3463 enhanced status code ("5.1.1") and
/// one or more lines of text. Every refusal the server sends carries an enhanced code.
/// </summary>
public sealed record SmtpReply
{
    public SmtpReply(int code, string? enhancedCode, params string[] lines)
    {
        if (code is < 200 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "SMTP reply codes are 2xx-5xx.");
        }

        Code = code;
        EnhancedCode = enhancedCode;
        Lines = lines.Length == 0 ? [""] : lines;
    }

    public int Code { get; }

    /// <summary>"class.subject.detail" (RFC 3463), or null for replies that carry none (greeting, EHLO).</summary>
    public string? EnhancedCode { get; }

    public IReadOnlyList<string> Lines { get; }

    /// <summary>All lines joined with a space: for logs and assertions.</summary>
    public string Text => string.Join(' ', Lines);

    public bool IsPositive => Code < 400;

    public bool IsTransientFailure => Code is >= 400 and < 500;

    public bool IsPermanentFailure => Code >= 500;

    /// <summary>The reply on the wire: "250-…" continuation lines, "250 …" last, CRLF each.</summary>
    public string ToWireString()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Lines.Count; i++)
        {
            text.Append(Code).Append(i == Lines.Count - 1 ? ' ' : '-');
            if (EnhancedCode is not null)
            {
                text.Append(EnhancedCode).Append(' ');
            }

            text.Append(Lines[i]).Append("\r\n");
        }

        return text.ToString();
    }

    public override string ToString() => EnhancedCode is null ? $"{Code} {Text}" : $"{Code} {EnhancedCode} {Text}";

    // The replies the protocol itself gives (backends build their own with the constructor).
    public static SmtpReply Ok { get; } = new(250, "2.0.0", "Ok");
    public static SmtpReply SenderOk { get; } = new(250, "2.1.0", "Ok");
    public static SmtpReply RecipientOk { get; } = new(250, "2.1.5", "Ok");
    public static SmtpReply StartData { get; } = new(354, null, "End data with <CR><LF>.<CR><LF>");
    public static SmtpReply Bye { get; } = new(221, "2.0.0", "Bye");
    public static SmtpReply ReadyToStartTls { get; } = new(220, "2.0.0", "Ready to start TLS");
    public static SmtpReply VrfyDisabled { get; } = new(252, "2.0.0", "Cannot VRFY user, but will accept the message and attempt delivery");
    public static SmtpReply ExpnDisabled { get; } = new(502, "5.5.1", "Error: EXPN command is disabled");
    public static SmtpReply CommandUnrecognized { get; } = new(500, "5.5.2", "Error: command not recognized");
    public static SmtpReply LineTooLong { get; } = new(500, "5.5.2", "Error: line too long");
    public static SmtpReply InvalidUtf8 { get; } = new(500, "5.5.2", "Error: command is not valid UTF-8");
    public static SmtpReply NeedHelo { get; } = new(503, "5.5.1", "Error: send HELO/EHLO first");
    public static SmtpReply NestedMail { get; } = new(503, "5.5.1", "Error: nested MAIL command");
    public static SmtpReply NeedMail { get; } = new(503, "5.5.1", "Error: need MAIL command");
    public static SmtpReply NeedRecipients { get; } = new(554, "5.5.1", "Error: no valid recipients");
    public static SmtpReply BdatInProgress { get; } = new(503, "5.5.1", "Error: BDAT transfer in progress; finish it with BDAT LAST or RSET");
    public static SmtpReply TransactionInProgress { get; } = new(503, "5.5.1", "Error: MAIL transaction in progress");
    public static SmtpReply TlsRequired { get; } = new(530, "5.7.0", "Must issue a STARTTLS command first");
    public static SmtpReply AuthRequired { get; } = new(530, "5.7.0", "Authentication required");
    public static SmtpReply TlsNotAvailable { get; } = new(502, "5.5.1", "Error: STARTTLS not available");
    public static SmtpReply TlsAlreadyActive { get; } = new(503, "5.5.1", "Error: TLS already active");
    public static SmtpReply AuthNotEnabled { get; } = new(503, "5.5.1", "Error: authentication not enabled");
    public static SmtpReply AlreadyAuthenticated { get; } = new(503, "5.5.1", "Error: already authenticated");
    public static SmtpReply AuthMechanismUnsupported { get; } = new(504, "5.5.4", "Error: unsupported authentication mechanism");
    public static SmtpReply AuthAborted { get; } = new(501, "5.7.0", "Authentication aborted");
    public static SmtpReply AuthCannotDecode { get; } = new(501, "5.5.2", "Error: cannot decode response");
    public static SmtpReply AuthSucceeded { get; } = new(235, "2.7.0", "Authentication successful");
    public static SmtpReply AuthFailed { get; } = new(535, "5.7.8", "Error: authentication failed");
    public static SmtpReply AuthTemporaryFailure { get; } = new(454, "4.7.0", "Temporary authentication failure");
    public static SmtpReply AuthLockedOut { get; } = new(421, "4.7.0", "Error: too many failed logins, try again later");
    public static SmtpReply MessageTooLarge { get; } = new(552, "5.3.4", "Error: message size exceeds fixed limit");
    public static SmtpReply TooManyRecipients { get; } = new(452, "4.5.3", "Error: too many recipients");
    public static SmtpReply TooManyErrors { get; } = new(421, "4.7.0", "Error: too many errors");
    public static SmtpReply Timeout { get; } = new(421, "4.4.2", "Error: timeout exceeded");
    public static SmtpReply BareLineFeed { get; } = new(521, "5.5.2", "Error: bare <LF> received");
    public static SmtpReply BareCarriageReturn { get; } = new(521, "5.5.2", "Error: bare <CR> received");
    public static SmtpReply Utf8Required { get; } = new(553, "5.6.7", "Error: non-ASCII address requires SMTPUTF8");
    public static SmtpReply TemporaryError { get; } = new(451, "4.3.0", "Error: temporary local problem, try again later");
    public static SmtpReply ShuttingDown { get; } = new(421, "4.3.2", "Error: service shutting down");
}

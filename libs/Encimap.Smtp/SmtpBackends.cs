using System.Net;

namespace Encimap.Smtp;

/// <summary>What the backends may know about the connection a command came on.</summary>
public sealed class SmtpSessionContext
{
    public required string SessionId { get; init; }

    /// <summary>The listener's name ("mx", "submission"): for metrics and logs.</summary>
    public required string ListenerName { get; init; }

    public required IPEndPoint RemoteEndPoint { get; init; }

    /// <summary>The client's HELO/EHLO argument, once given.</summary>
    public string? HeloName { get; internal set; }

    public bool IsExtended { get; internal set; }

    public bool IsTls { get; internal set; }

    /// <summary>Who logged in with AUTH, or null.</summary>
    public SmtpPrincipal? Principal { get; internal set; }

    /// <summary>The Received: line's "with" keyword (RFC 3848): SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA, or UTF8… (RFC 6531).</summary>
    public string ReceivedProtocol(bool smtpUtf8) =>
        (smtpUtf8 ? "UTF8" : "") + (IsExtended ? "ESMTP" : "SMTP") + (IsTls ? "S" : "") + (Principal is null ? "" : "A");
}

/// <summary>An authenticated user; backends derive their own types to carry what they need.</summary>
public class SmtpPrincipal(string name)
{
    public string Name { get; } = name;

    public override string ToString() => Name;
}

/// <summary>The envelope of one transaction.</summary>
public sealed record SmtpEnvelope(
    string ReversePath,
    IReadOnlyList<string> Recipients,
    SmtpBodyType Body,
    bool SmtpUtf8,
    long? DeclaredSize);

/// <summary>What an authenticator decided.</summary>
public enum SmtpAuthOutcome
{
    Succeeded,
    /// <summary>Wrong user or password (535 5.7.8).</summary>
    Failed,
    /// <summary>The verifier could not be asked (454 4.7.0).</summary>
    TemporaryFailure,
    /// <summary>Too many failures from this client: 421 4.7.0 and disconnect.</summary>
    LockedOut,
}

public sealed record SmtpAuthResult(SmtpAuthOutcome Outcome, SmtpPrincipal? Principal = null)
{
    public static SmtpAuthResult Success(SmtpPrincipal principal) => new(SmtpAuthOutcome.Succeeded, principal);

    public static SmtpAuthResult Failure { get; } = new(SmtpAuthOutcome.Failed);

    public static SmtpAuthResult Temporary { get; } = new(SmtpAuthOutcome.TemporaryFailure);

    public static SmtpAuthResult Locked { get; } = new(SmtpAuthOutcome.LockedOut);
}

/// <summary>Checks the MAIL FROM reverse-path. Null accepts it; a reply refuses it.</summary>
public interface ISenderPolicy
{
    ValueTask<SmtpReply?> CheckSenderAsync(SmtpSessionContext session, MailCommand mail, CancellationToken cancellationToken);
}

/// <summary>Checks one RCPT TO address. Null accepts it; a reply refuses it (e.g. 550 5.1.1).</summary>
public interface IRecipientPolicy
{
    ValueTask<SmtpReply?> CheckRecipientAsync(SmtpSessionContext session, SmtpEnvelope envelope, string recipient, CancellationToken cancellationToken);
}

/// <summary>
/// Takes a complete message. The reply is what the client gets for DATA or BDAT LAST: a 2xx only
/// once the message is durably stored.
/// </summary>
public interface IMessageSink
{
    ValueTask<SmtpReply> DeliverAsync(SmtpSessionContext session, SmtpEnvelope envelope, ReadOnlyMemory<byte> message, CancellationToken cancellationToken);
}

/// <summary>Checks a user name and password (AUTH PLAIN and LOGIN).</summary>
public interface ISmtpAuthenticator
{
    ValueTask<SmtpAuthResult> AuthenticateAsync(SmtpSessionContext session, string userName, string password, CancellationToken cancellationToken);
}

/// <summary>The backends of one listener. Policies left null accept everything.</summary>
public sealed record SmtpBackends(IMessageSink MessageSink)
{
    public ISenderPolicy? SenderPolicy { get; init; }

    public IRecipientPolicy? RecipientPolicy { get; init; }

    /// <summary>Required when the listener offers AUTH.</summary>
    public ISmtpAuthenticator? Authenticator { get; init; }
}

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

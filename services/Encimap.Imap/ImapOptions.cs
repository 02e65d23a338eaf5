using Encimap.LoginThrottling;

namespace Encimap.Imap;

/// <summary>Configuration section "Imap".</summary>
public sealed class ImapOptions
{
    /// <summary>Cleartext listener with STARTTLS (host:port); empty: none.</summary>
    public string? Endpoint { get; set; } = "127.0.0.1:1143";

    /// <summary>Implicit-TLS listener (host:port); empty: none.</summary>
    public string? TlsEndpoint { get; set; } = "127.0.0.1:1993";

    /// <summary>Largest APPEND literal (the maximum message size).</summary>
    public long MaxMessageSize { get; set; } = 50L * 1024 * 1024;

    /// <summary>Largest command, literals included: a MULTIAPPEND (RFC 3502) of several messages.</summary>
    public long MaxCommandSize { get; set; } = 200L * 1024 * 1024;

    public int MaxLineLength { get; set; } = 64 * 1024;

    public int MaxUnauthenticatedCommands { get; set; } = 20;

    /// <summary>Autologout after this much silence (RFC 3501: at least 30 minutes).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    public TimeSpan UnauthenticatedTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Concurrent connections of one vaultbox (username).</summary>
    public int MaxConnectionsPerUser { get; set; } = 50;

    /// <summary>Login throttling per client address and per address and username (section <c>Imap:LoginPenalty</c>).</summary>
    public LoginPenaltyOptions LoginPenalty { get; set; } = new();

    /// <summary>Allow LOGIN/AUTHENTICATE without TLS (never in production).</summary>
    public bool AllowCleartextAuthentication { get; set; }

    /// <summary>IDLE also polls this often, in case a notification was lost with a database connection.</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromSeconds(30);
}

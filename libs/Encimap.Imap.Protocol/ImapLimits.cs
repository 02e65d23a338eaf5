namespace Encimap.Imap.Protocol;

/// <summary>Protocol limits a session enforces.</summary>
public sealed record ImapLimits
{
    /// <summary>Largest literal accepted (the maximum message size for APPEND).</summary>
    public long MaxLiteralSize { get; init; } = 50L * 1024 * 1024;

    /// <summary>Largest command, literals included (a MULTIAPPEND carries several messages, RFC 3502).</summary>
    public long MaxCommandSize { get; init; } = 200L * 1024 * 1024;

    /// <summary>Longest command line outside literals.</summary>
    public int MaxLineLength { get; init; } = 64 * 1024;

    /// <summary>Commands a client may send before it authenticates.</summary>
    public int MaxUnauthenticatedCommands { get; init; } = 20;

    /// <summary>Autologout timer (RFC 3501 §5.4: at least 30 minutes).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Unauthenticated connections time out sooner.</summary>
    public TimeSpan UnauthenticatedTimeout { get; init; } = TimeSpan.FromMinutes(1);
}

namespace Encimap.Imap.Protocol;

/// <summary>
/// Which command is allowed in which state: ONE table. Commands of the authenticated state are
/// also valid in the selected state (RFC 3501 §6.3), and the "any state" commands everywhere.
/// </summary>
public static class CommandTable
{
    private static readonly string[] AnyState = ["CAPABILITY", "NOOP", "LOGOUT", "ID", "ENABLE"];
    private static readonly string[] NotAuthenticated = ["STARTTLS", "AUTHENTICATE", "LOGIN"];
    private static readonly string[] Authenticated =
    [
        "SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "XLIST", "LSUB",
        "STATUS", "APPEND", "NAMESPACE", "IDLE",
    ];
    private static readonly string[] Selected =
    [
        "CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY", "MOVE",
    ];

    /// <summary>The table itself: state → commands allowed in it.</summary>
    public static IReadOnlyDictionary<SessionState, IReadOnlySet<string>> Allowed { get; } = new Dictionary<SessionState, IReadOnlySet<string>>
    {
        [SessionState.NotAuthenticated] = new HashSet<string>([.. AnyState, .. NotAuthenticated], StringComparer.Ordinal),
        [SessionState.Authenticated] = new HashSet<string>([.. AnyState, .. Authenticated], StringComparer.Ordinal),
        [SessionState.Selected] = new HashSet<string>([.. AnyState, .. Authenticated, .. Selected], StringComparer.Ordinal),
        [SessionState.Logout] = new HashSet<string>(StringComparer.Ordinal),
    };

    /// <summary>Whether <paramref name="command"/> (upper-case name without UID) is allowed in <paramref name="state"/>.</summary>
    public static bool IsAllowed(SessionState state, string command) => Allowed[state].Contains(command);

    /// <summary>The state after a command that succeeded (or, for SELECT/EXAMINE, failed).</summary>
    public static SessionState Next(SessionState state, string command, bool succeeded) => (command, succeeded) switch
    {
        ("LOGOUT", _) => SessionState.Logout,
        ("LOGIN" or "AUTHENTICATE", true) => SessionState.Authenticated,
        ("SELECT" or "EXAMINE", true) => SessionState.Selected,
        // A failed SELECT leaves no mailbox selected (RFC 3501 §6.3.1).
        ("SELECT" or "EXAMINE", false) when state == SessionState.Selected => SessionState.Authenticated,
        ("CLOSE" or "UNSELECT", true) => SessionState.Authenticated,
        _ => state,
    };
}

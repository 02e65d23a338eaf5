using Encimap.Imap.Protocol;

namespace Encimap.Imap.Protocol.Tests;

/// <summary>State × command → allowed, the whole table.</summary>
public sealed class StateTableTests
{
    private const SessionState N = SessionState.NotAuthenticated;
    private const SessionState A = SessionState.Authenticated;
    private const SessionState S = SessionState.Selected;

    // command: allowed in (not authenticated, authenticated, selected)
    public static TheoryData<string, bool, bool, bool> Table => new()
    {
        { "CAPABILITY", true, true, true },
        { "NOOP", true, true, true },
        { "LOGOUT", true, true, true },
        { "ID", true, true, true },
        { "ENABLE", true, true, true },
        { "STARTTLS", true, false, false },
        { "LOGIN", true, false, false },
        { "AUTHENTICATE", true, false, false },
        { "SELECT", false, true, true },
        { "EXAMINE", false, true, true },
        { "CREATE", false, true, true },
        { "DELETE", false, true, true },
        { "RENAME", false, true, true },
        { "SUBSCRIBE", false, true, true },
        { "UNSUBSCRIBE", false, true, true },
        { "LIST", false, true, true },
        { "XLIST", false, true, true },
        { "LSUB", false, true, true },
        { "STATUS", false, true, true },
        { "APPEND", false, true, true },
        { "NAMESPACE", false, true, true },
        { "IDLE", false, true, true },
        { "CHECK", false, false, true },
        { "CLOSE", false, false, true },
        { "UNSELECT", false, false, true },
        { "EXPUNGE", false, false, true },
        { "SEARCH", false, false, true },
        { "FETCH", false, false, true },
        { "STORE", false, false, true },
        { "COPY", false, false, true },
        { "MOVE", false, false, true },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void AllowedByState(string command, bool notAuthenticated, bool authenticated, bool selected)
    {
        Assert.Equal(notAuthenticated, CommandTable.IsAllowed(N, command));
        Assert.Equal(authenticated, CommandTable.IsAllowed(A, command));
        Assert.Equal(selected, CommandTable.IsAllowed(S, command));
        Assert.False(CommandTable.IsAllowed(SessionState.Logout, command));
    }

    [Fact]
    public void TableCoversEveryCommand()
    {
        var listed = Table.Select(row => (string)row[0]).ToHashSet();
        var allowed = CommandTable.Allowed.Values.SelectMany(s => s).ToHashSet();
        Assert.Equal(allowed.Order(), listed.Order());
    }

    public static TheoryData<SessionState, string, bool, SessionState> Transitions => new()
    {
        { N, "LOGIN", true, A },
        { N, "LOGIN", false, N },
        { N, "AUTHENTICATE", true, A },
        { A, "SELECT", true, S },
        { A, "SELECT", false, A },
        { S, "SELECT", false, A },
        { S, "EXAMINE", true, S },
        { S, "CLOSE", true, A },
        { S, "UNSELECT", true, A },
        { S, "FETCH", true, S },
        { N, "LOGOUT", true, SessionState.Logout },
        { S, "LOGOUT", true, SessionState.Logout },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public void Transition(SessionState from, string command, bool succeeded, SessionState to) =>
        Assert.Equal(to, CommandTable.Next(from, command, succeeded));
}

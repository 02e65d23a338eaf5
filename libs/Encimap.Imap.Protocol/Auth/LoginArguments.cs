namespace Encimap.Imap.Protocol;

public sealed record LoginArguments(string Username, string Password) : CommandArguments
{
    // Never print the password (logs, test names).
    public override string ToString() => $"LoginArguments {{ Username = {Username} }}";
}

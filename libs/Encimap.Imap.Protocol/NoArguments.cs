namespace Encimap.Imap.Protocol;

/// <summary>Commands without arguments (CAPABILITY, NOOP, LOGOUT, STARTTLS, CHECK, CLOSE, UNSELECT, EXPUNGE, NAMESPACE, IDLE).</summary>
public sealed record NoArguments : CommandArguments
{
    public static NoArguments Instance { get; } = new();
}

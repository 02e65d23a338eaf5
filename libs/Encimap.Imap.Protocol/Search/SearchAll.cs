namespace Encimap.Imap.Protocol;

public sealed record SearchAll : SearchKey
{
    public static SearchAll Instance { get; } = new();
}

namespace Encimap.Imap.Protocol;

/// <summary>A complete client command: tag, upper-case name, whether it had the UID prefix, and its arguments.</summary>
public sealed record ImapCommand(string Tag, string Name, bool Uid, CommandArguments Arguments)
{
    public override string ToString() => $"{Tag} {(Uid ? "UID " : "")}{Name} {Arguments}";
}

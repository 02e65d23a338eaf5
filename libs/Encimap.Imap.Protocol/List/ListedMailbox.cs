namespace Encimap.Imap.Protocol;

/// <summary>One line of a LIST, XLIST or LSUB answer: the name, its attributes and its CHILDINFO (RFC 5258 §3.5).</summary>
internal sealed record ListedMailbox(string Name, IReadOnlyList<string> Attributes, IReadOnlyList<string> ChildInfo)
{
    /// <summary>Whether a mailbox of this name exists (STATUS can be asked of it).</summary>
    public bool Exists { get; init; } = true;
}

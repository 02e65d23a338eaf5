namespace Encimap.Imap.Protocol;

/// <summary>
/// A backend's refusal, answered as a tagged NO (or BAD) with an optional response code, e.g.
/// <c>new ImapException(ImapStatus.No, "TRYCREATE", "no such mailbox")</c>.
/// </summary>
public sealed class ImapException(ImapStatus status, string? code, string text) : Exception(text)
{
    public ImapStatus Status { get; } = status;

    public string? Code { get; } = code;

    public static ImapException No(string text, string? code = null) => new(ImapStatus.No, code, text);
}

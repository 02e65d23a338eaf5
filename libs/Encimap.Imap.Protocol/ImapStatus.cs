namespace Encimap.Imap.Protocol;

/// <summary>Status of a tagged response.</summary>
public enum ImapStatus
{
    Ok,
    No,
    Bad,
}

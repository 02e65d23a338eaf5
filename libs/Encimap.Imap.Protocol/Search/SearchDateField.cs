namespace Encimap.Imap.Protocol;

public enum SearchDateField
{
    Internal,
    Sent,
}

namespace Encimap.Imap.Protocol;

public enum SearchDateComparison
{
    Before,
    On,
    Since,
}

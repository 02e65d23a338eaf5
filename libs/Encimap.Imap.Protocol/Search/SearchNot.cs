namespace Encimap.Imap.Protocol;

public sealed record SearchNot(SearchKey Key) : SearchKey;

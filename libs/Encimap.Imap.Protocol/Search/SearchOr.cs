namespace Encimap.Imap.Protocol;

public sealed record SearchOr(SearchKey Left, SearchKey Right) : SearchKey;

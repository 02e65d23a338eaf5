namespace Encimap.Imap.Protocol;

public sealed record SearchAnd(EquatableList<SearchKey> Keys) : SearchKey;

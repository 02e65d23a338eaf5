namespace Encimap.Imap.Protocol;

public sealed record SearchDate(SearchDateField Field, SearchDateComparison Comparison, DateOnly Date) : SearchKey;

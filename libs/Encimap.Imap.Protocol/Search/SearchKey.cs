namespace Encimap.Imap.Protocol;

/// <summary>A SEARCH criterion (RFC 3501 §6.4.4, CONDSTORE's MODSEQ). A list of keys is an <see cref="SearchAnd"/>.</summary>
public abstract record SearchKey;

namespace Encimap.Imap.Protocol;

/// <summary>A SEARCH criterion (RFC 3501 §6.4.4, CONDSTORE's MODSEQ). A list of keys is an <see cref="SearchAnd"/>.</summary>
public abstract record SearchKey;

public sealed record SearchAll : SearchKey
{
    public static SearchAll Instance { get; } = new();
}

/// <summary>A flag set (SEEN, KEYWORD x, …) or not set (UNSEEN, UNKEYWORD x, …). RECENT/OLD use \Recent, which is never set here.</summary>
public sealed record SearchFlag(string Flag, bool Set) : SearchKey;

/// <summary>FROM, TO, CC, BCC, SUBJECT and HEADER: a substring of a header field (empty value: the field exists).</summary>
public sealed record SearchHeader(string Field, string Value) : SearchKey;

/// <summary>BODY (body only) and TEXT (header and body). Only the part that is in clear can match.</summary>
public sealed record SearchText(bool BodyOnly, string Value) : SearchKey;

public enum SearchDateField
{
    Internal,
    Sent,
}

public enum SearchDateComparison
{
    Before,
    On,
    Since,
}

public sealed record SearchDate(SearchDateField Field, SearchDateComparison Comparison, DateOnly Date) : SearchKey;

/// <summary>LARGER (<see cref="Larger"/>) or SMALLER than <see cref="Size"/> octets.</summary>
public sealed record SearchSize(bool Larger, long Size) : SearchKey;

/// <summary>A sequence set (message numbers) or UID set.</summary>
public sealed record SearchSet(SequenceSet Set, bool Uid) : SearchKey;

public sealed record SearchNot(SearchKey Key) : SearchKey;

public sealed record SearchOr(SearchKey Left, SearchKey Right) : SearchKey;

public sealed record SearchAnd(EquatableList<SearchKey> Keys) : SearchKey;

/// <summary>MODSEQ n: messages whose mod-sequence is at least n.</summary>
public sealed record SearchModSeq(ulong ModSeq) : SearchKey;

namespace Encimap.Imap.Protocol;

/// <summary>FROM, TO, CC, BCC, SUBJECT and HEADER: a substring of a header field (empty value: the field exists).</summary>
public sealed record SearchHeader(string Field, string Value) : SearchKey;

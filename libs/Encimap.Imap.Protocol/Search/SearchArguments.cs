namespace Encimap.Imap.Protocol;

/// <summary>SEARCH / UID SEARCH; <see cref="Return"/> is non-null for the ESEARCH form (RFC 4731).</summary>
public sealed record SearchArguments(string? Charset, SearchKey Criteria, SearchReturn? Return = null) : CommandArguments;

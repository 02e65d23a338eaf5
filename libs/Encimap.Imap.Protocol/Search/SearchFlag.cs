namespace Encimap.Imap.Protocol;

/// <summary>A flag set (SEEN, KEYWORD x, …) or not set (UNSEEN, UNKEYWORD x, …). RECENT/OLD use \Recent, which is never set here.</summary>
public sealed record SearchFlag(string Flag, bool Set) : SearchKey;

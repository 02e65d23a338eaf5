namespace Encimap.Imap.Protocol;

/// <summary><c>&lt;offset.count&gt;</c> of a section fetch.</summary>
public readonly record struct Partial(long Offset, long Count);

namespace Encimap.Imap.Protocol;

/// <summary>LARGER (<see cref="Larger"/>) or SMALLER than <see cref="Size"/> octets.</summary>
public sealed record SearchSize(bool Larger, long Size) : SearchKey;

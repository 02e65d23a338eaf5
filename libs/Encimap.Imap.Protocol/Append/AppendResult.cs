namespace Encimap.Imap.Protocol;

/// <summary>APPEND result for APPENDUID: the UIDs the messages got, in their order (RFC 4315).</summary>
public sealed record AppendResult(uint UidValidity, IReadOnlyList<uint> Uids);

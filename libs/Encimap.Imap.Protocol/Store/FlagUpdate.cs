namespace Encimap.Imap.Protocol;

/// <summary>The new state of a message whose flags a STORE changed.</summary>
public sealed record FlagUpdate(uint Uid, IReadOnlyList<string> Flags, ulong ModSeq);

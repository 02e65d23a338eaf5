namespace Encimap.Imap.Protocol;

/// <summary>MODSEQ n: messages whose mod-sequence is at least n.</summary>
public sealed record SearchModSeq(ulong ModSeq) : SearchKey;

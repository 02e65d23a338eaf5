namespace Encimap.Imap.Protocol;

/// <summary>COPY/MOVE result for COPYUID: source UIDs and the UIDs their copies got, pairwise.</summary>
public sealed record CopyResult(uint UidValidity, IReadOnlyList<uint> SourceUids, IReadOnlyList<uint> DestinationUids);

namespace Encimap.Imap.Protocol;

public sealed record StoreResult(IReadOnlyList<FlagUpdate> Updated, IReadOnlyList<uint> FailedUnchangedSince);

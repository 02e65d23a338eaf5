namespace Encimap.Imap.Protocol;

public sealed record FetchOptions(ulong? ChangedSince, bool SetSeen);

namespace Encimap.Imap.Protocol;

/// <summary>STORE / UID STORE, with the CONDSTORE UNCHANGEDSINCE modifier.</summary>
public sealed record StoreArguments(SequenceSet Set, StoreMode Mode, bool Silent, EquatableList<string> Flags, ulong? UnchangedSince = null) : CommandArguments;

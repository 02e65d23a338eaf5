namespace Encimap.Imap.Protocol;

/// <summary>FETCH / UID FETCH; macros (ALL, FAST, FULL) are expanded; UID FETCH adds <see cref="FetchAttribute.Uid"/>.</summary>
public sealed record FetchArguments(SequenceSet Set, EquatableList<FetchItem> Items, ulong? ChangedSince = null) : CommandArguments;

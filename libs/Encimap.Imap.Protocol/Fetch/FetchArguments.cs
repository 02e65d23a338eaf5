namespace Encimap.Imap.Protocol;

/// <summary>FETCH / UID FETCH; macros (ALL, FAST, FULL) are expanded; UID FETCH adds <see cref="FetchAttribute.Uid"/>.</summary>
/// <param name="Vanished">UID FETCH (CHANGEDSINCE n VANISHED): the expunged UIDs of the set first (RFC 7162 §3.2.6).</param>
public sealed record FetchArguments(SequenceSet Set, EquatableList<FetchItem> Items, ulong? ChangedSince = null, bool Vanished = false) : CommandArguments;

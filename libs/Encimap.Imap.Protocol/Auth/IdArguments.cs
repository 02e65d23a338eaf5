namespace Encimap.Imap.Protocol;

/// <summary>ID (RFC 2971): field/value pairs, or null for NIL.</summary>
public sealed record IdArguments(EquatableList<KeyValuePair<string, string?>>? Parameters) : CommandArguments;

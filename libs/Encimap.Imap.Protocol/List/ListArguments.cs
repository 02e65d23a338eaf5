namespace Encimap.Imap.Protocol;

/// <summary>LIST (RFC 5258 extended form included) and LSUB.</summary>
public sealed record ListArguments(
    string Reference,
    EquatableList<string> Patterns,
    ListSelection Selection = ListSelection.None,
    ListReturn Return = ListReturn.None,
    EquatableList<string>? ReturnStatus = null) : CommandArguments;

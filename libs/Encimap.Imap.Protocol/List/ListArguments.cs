namespace Encimap.Imap.Protocol;

/// <summary>LIST (RFC 5258 extended form included) and LSUB.</summary>
/// <param name="Extended">Written in the extended syntax (selection or return options, or a list of patterns).</param>
public sealed record ListArguments(
    string Reference,
    EquatableList<string> Patterns,
    ListSelection Selection = ListSelection.None,
    ListReturn Return = ListReturn.None,
    EquatableList<string>? ReturnStatus = null,
    bool Extended = false) : CommandArguments;

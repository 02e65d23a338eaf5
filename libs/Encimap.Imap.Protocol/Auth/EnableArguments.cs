namespace Encimap.Imap.Protocol;

public sealed record EnableArguments(EquatableList<string> Capabilities) : CommandArguments;

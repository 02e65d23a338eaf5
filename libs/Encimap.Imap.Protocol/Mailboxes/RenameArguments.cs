namespace Encimap.Imap.Protocol;

public sealed record RenameArguments(string From, string To) : CommandArguments;

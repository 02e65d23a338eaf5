namespace Encimap.Imap.Protocol;

/// <summary>The arguments of one command; each command has its own record.</summary>
public abstract record CommandArguments;

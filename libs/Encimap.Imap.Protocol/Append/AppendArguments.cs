namespace Encimap.Imap.Protocol;

/// <summary>APPEND of one message or, with MULTIAPPEND (RFC 3502), of several at once.</summary>
public sealed record AppendArguments(string Mailbox, EquatableList<AppendMessage> Messages) : CommandArguments;

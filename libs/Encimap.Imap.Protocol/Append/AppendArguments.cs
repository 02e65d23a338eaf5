namespace Encimap.Imap.Protocol;

/// <summary>APPEND of one message.</summary>
public sealed record AppendArguments(string Mailbox, EquatableList<string> Flags, DateTimeOffset? InternalDate, ReadOnlyMemory<byte> Message) : CommandArguments
{
    public bool Equals(AppendArguments? other) =>
        other is not null && Mailbox == other.Mailbox && Flags.Equals(other.Flags) && InternalDate == other.InternalDate &&
        Message.Span.SequenceEqual(other.Message.Span);

    public override int GetHashCode() => HashCode.Combine(Mailbox, Flags, InternalDate, Message.Length);

    public override string ToString() => $"AppendArguments {{ Mailbox = {Mailbox}, Flags = {Flags}, InternalDate = {InternalDate:O}, Message = {Message.Length} bytes }}";
}

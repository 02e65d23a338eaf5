namespace Encimap.Imap.Protocol;

/// <summary>One message of an APPEND: its flags, its INTERNALDATE if given, and its bytes.</summary>
public sealed record AppendMessage(EquatableList<string> Flags, DateTimeOffset? InternalDate, ReadOnlyMemory<byte> Message)
{
    public bool Equals(AppendMessage? other) =>
        other is not null && Flags.Equals(other.Flags) && InternalDate == other.InternalDate && Message.Span.SequenceEqual(other.Message.Span);

    public override int GetHashCode() => HashCode.Combine(Flags, InternalDate, Message.Length);

    public override string ToString() => $"AppendMessage {{ Flags = {Flags}, InternalDate = {InternalDate:O}, Message = {Message.Length} bytes }}";
}

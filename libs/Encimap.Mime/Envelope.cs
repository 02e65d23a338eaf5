namespace Encimap.Mime;

/// <summary>
/// The IMAP ENVELOPE of a message (RFC 3501 §7.4.2), built from MimeKit's header list. Date,
/// Subject, In-Reply-To and Message-ID are the unfolded field bodies as written (RFC 2047 words
/// not decoded, as IMAP sends them). A missing field is null, a missing address list empty.
/// Stored as JSON (<see cref="MimeJson"/>) at delivery.
/// </summary>
public sealed record Envelope(
    string? Date,
    string? Subject,
    IReadOnlyList<MailAddress> From,
    IReadOnlyList<MailAddress> Sender,
    IReadOnlyList<MailAddress> ReplyTo,
    IReadOnlyList<MailAddress> To,
    IReadOnlyList<MailAddress> Cc,
    IReadOnlyList<MailAddress> Bcc,
    string? InReplyTo,
    string? MessageId)
{
    /// <summary>The envelope of a message without a header.</summary>
    public static Envelope Empty { get; } = new(null, null, [], [], [], [], [], [], null, null);

    /// <summary>
    /// The envelope of a header (named FromHeaders because <see cref="From"/> is the From list).
    /// Sender and Reply-To default to From when absent or empty
    /// (RFC 3501 §7.4.2); of repeated fields the first counts.
    /// </summary>
    public static Envelope FromHeaders(MimeKit.HeaderList headers)
    {
        var from = Addresses(headers, "From");
        var sender = Addresses(headers, "Sender");
        var replyTo = Addresses(headers, "Reply-To");
        return new Envelope(
            RawHeader.Value(headers, "Date"),
            RawHeader.Value(headers, "Subject"),
            from,
            sender.Count > 0 ? sender : from,
            replyTo.Count > 0 ? replyTo : from,
            Addresses(headers, "To"),
            Addresses(headers, "Cc"),
            Addresses(headers, "Bcc"),
            RawHeader.Value(headers, "In-Reply-To"),
            RawHeader.Value(headers, "Message-ID"));
    }

    private static IReadOnlyList<MailAddress> Addresses(MimeKit.HeaderList headers, string name) =>
        RawHeader.Value(headers, name) is { } value ? AddressListReader.Read(value) : [];

    /// <inheritdoc />
    public bool Equals(Envelope? other) =>
        other is not null
        && Date == other.Date && Subject == other.Subject
        && CollectionEquality.Equal(From, other.From) && CollectionEquality.Equal(Sender, other.Sender)
        && CollectionEquality.Equal(ReplyTo, other.ReplyTo) && CollectionEquality.Equal(To, other.To)
        && CollectionEquality.Equal(Cc, other.Cc) && CollectionEquality.Equal(Bcc, other.Bcc)
        && InReplyTo == other.InReplyTo && MessageId == other.MessageId;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Date, Subject, MessageId, From.Count, To.Count);
}

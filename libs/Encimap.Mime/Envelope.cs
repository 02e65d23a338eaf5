namespace Encimap.Mime;

/// <summary>
/// The IMAP ENVELOPE of a message (RFC 3501 §7.4.2). Date, Subject, In-Reply-To and Message-ID
/// are the unfolded field bodies as written (RFC 2047 words not decoded, as IMAP sends them);
/// <see cref="DecodedSubject"/> is the readable subject. A missing field is null, a missing
/// address list empty.
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
    /// <summary>The subject with RFC 2047 words decoded, or null.</summary>
    public string? DecodedSubject => Subject is null ? null : EncodedWords.Decode(Subject);

    /// <summary>
    /// The envelope of a header (named FromHeaders because <see cref="From"/> is the From list).
    /// Sender and Reply-To default to From when absent or empty
    /// (RFC 3501 §7.4.2); of repeated fields the first counts.
    /// </summary>
    public static Envelope FromHeaders(HeaderList headers)
    {
        var from = Addresses(headers, "From");
        var sender = Addresses(headers, "Sender");
        var replyTo = Addresses(headers, "Reply-To");
        return new Envelope(
            headers.First("Date")?.RawValue,
            headers.First("Subject")?.RawValue,
            from,
            sender.Count > 0 ? sender : from,
            replyTo.Count > 0 ? replyTo : from,
            Addresses(headers, "To"),
            Addresses(headers, "Cc"),
            Addresses(headers, "Bcc"),
            headers.First("In-Reply-To")?.RawValue,
            headers.First("Message-ID")?.RawValue);
    }

    private static IReadOnlyList<MailAddress> Addresses(HeaderList headers, string name) =>
        headers.First(name) is { } field ? AddressParser.Parse(field.RawValue) : [];

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

using Encimap.Mime;

namespace Encimap.Imap.Protocol;

/// <summary>The MIME library's envelope and body structure (as stored) as this library's records.</summary>
public static class MimeMapping
{
    public static ImapEnvelope ToImap(Envelope e) => new(
        e.Date, e.Subject, Addresses(e.From), Addresses(e.Sender), Addresses(e.ReplyTo), Addresses(e.To), Addresses(e.Cc), Addresses(e.Bcc),
        e.InReplyTo, e.MessageId);

    private static IReadOnlyList<ImapAddress> Addresses(IReadOnlyList<MailAddress> list) =>
        list.Select(a => new ImapAddress(a.Name, a.Route, a.Mailbox, a.Host)).ToList();

    public static ImapBodyPart ToImap(BodyStructure b) => new()
    {
        Type = b.Type,
        Subtype = b.Subtype,
        Parameters = b.Parameters.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)).ToList(),
        Parts = b.Children.Select(ToImap).ToList(),
        Id = b.Id,
        Description = b.Description,
        Encoding = b.Encoding,
        Size = b.Size,
        Lines = b.Lines ?? 0,
        Md5 = b.Md5,
        Disposition = b.Disposition is { } d ? new ImapDisposition(d.Kind, d.Parameters.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)).ToList()) : null,
        Language = b.Language,
        Location = b.Location,
        MessageEnvelope = b.Envelope is { } env ? ToImap(env) : null,
        MessageBody = b.Message is { } message ? ToImap(message) : null,
    };
}

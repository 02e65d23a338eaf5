using System.Net;

namespace Encimap.Smtp;

/// <summary>Checks the MAIL FROM reverse-path. Null accepts it; a reply refuses it.</summary>
public interface ISenderPolicy
{
    ValueTask<SmtpReply?> CheckSenderAsync(SmtpSessionContext session, MailCommand mail, CancellationToken cancellationToken);
}

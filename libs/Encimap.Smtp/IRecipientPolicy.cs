using System.Net;

namespace Encimap.Smtp;

/// <summary>Checks one RCPT TO address. Null accepts it; a reply refuses it (e.g. 550 5.1.1).</summary>
public interface IRecipientPolicy
{
    ValueTask<SmtpReply?> CheckRecipientAsync(SmtpSessionContext session, SmtpEnvelope envelope, string recipient, CancellationToken cancellationToken);
}

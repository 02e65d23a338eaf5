using System.Net;

namespace Encimap.Smtp;

/// <summary>
/// Takes a complete message. The reply is what the client gets for DATA or BDAT LAST: a 2xx only
/// once the message is durably stored.
/// </summary>
public interface IMessageSink
{
    ValueTask<SmtpReply> DeliverAsync(SmtpSessionContext session, SmtpEnvelope envelope, ReadOnlyMemory<byte> message, CancellationToken cancellationToken);
}

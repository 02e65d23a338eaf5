using System.Net;

namespace Encimap.Smtp;

/// <summary>
/// Takes a complete message. The reply is what the client gets for DATA or BDAT LAST: a 2xx only
/// once the message is durably stored. The message is in a <see cref="MessageSpool"/> (memory for
/// a small one, a temporary file for a large one) that the session owns and discards once the
/// reply is given: read it with <see cref="MessageSpool.OpenRead"/>, as often as needed, but do
/// not keep it.
/// </summary>
public interface IMessageSink
{
    ValueTask<SmtpReply> DeliverAsync(SmtpSessionContext session, SmtpEnvelope envelope, MessageSpool message, CancellationToken cancellationToken);
}

using Encimap.Contracts.Intake;
using Encimap.Smtp;
using Encimap.SmtpGateway.Infrastructure;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace Encimap.SmtpGateway.Mx;

/// <summary>
/// MX DATA: hands the message to the intake's Deliver and answers 250 only when the intake has
/// committed it (a retried message is de-duplicated there); any failure answers 4xx so that the
/// sender retries.
/// </summary>
public sealed class IntakeMessageSink(IntakeDelivery intake, IOptions<GatewayOptions> options, ILogger<IntakeMessageSink> logger) : IMessageSink
{
    public async ValueTask<SmtpReply> DeliverAsync(SmtpSessionContext session, SmtpEnvelope envelope, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var request = new DeliverRequest
        {
            EnvelopeSender = envelope.ReversePath,
            RawMessage = UnsafeByteOperations.UnsafeWrap(message),
            ClientAddress = session.RemoteEndPoint.Address.ToString(),
            ClientHelo = session.HeloName ?? "",
            ReceivedProtocol = session.ReceivedProtocol(envelope.SmtpUtf8),
        };
        request.Recipients.AddRange(envelope.Recipients);

        DeliverReply reply;
        try
        {
            reply = await intake.DeliverAsync(request, options.Value.Mx.IntakeTimeout, cancellationToken);
        }
        catch (IntakeException e)
        {
            logger.LogWarning("Delivery to the intake failed: {Failure} {Detail}", e.Failure, e.Detail);
            return e.Failure switch
            {
                IntakeFailure.TooLarge => SmtpReply.MessageTooLarge,
                IntakeFailure.Refused => new SmtpReply(554, "5.6.0", "Error: message refused by the mail store"),
                _ => new SmtpReply(451, "4.4.3", "Error: mail store unavailable, try again later"),
            };
        }

        var stored = reply.Results.Count(r => r.Outcome is DeliveryOutcome.Stored or DeliveryOutcome.Duplicate);
        if (stored == 0)
        {
            return new SmtpReply(550, "5.1.1", "Error: no recipient of this message exists any more");
        }

        return new SmtpReply(250, "2.0.0", $"Ok: delivered to {stored} mailbox{(stored == 1 ? "" : "es")}");
    }
}

using Encimap.Contracts.Intake;
using Encimap.Smtp;
using Encimap.SmtpGateway.Authentication;
using Encimap.SmtpGateway.Infrastructure;
using Microsoft.Extensions.Options;

namespace Encimap.SmtpGateway.Mx;

/// <summary>
/// MX DATA: checks SPF, DKIM and DMARC (<see cref="InboundAuthenticator"/>), decides per
/// recipient what a failed DMARC policy does (<see cref="RecipientDispositions"/>), refuses the
/// message (550 5.7.1) when that is every recipient's answer, and otherwise hands it, with its
/// Authentication-Results field, to the intake's DeliverStream (to Junk for recipients whose
/// answer is quarantine), streamed from the session's spool. Answers 250 only when the intake has
/// committed it (a retried message is de-duplicated there); any failure answers 4xx so that the
/// sender retries.
/// </summary>
public sealed class IntakeMessageSink(
    IntakeDelivery intake,
    InboundAuthenticator authenticator,
    RecipientDispositions dispositions,
    IOptions<GatewayOptions> options,
    ILogger<IntakeMessageSink> logger) : IMessageSink
{
    public const string JunkMailbox = "Junk";

    public async ValueTask<SmtpReply> DeliverAsync(SmtpSessionContext session, SmtpEnvelope envelope, MessageSpool message, CancellationToken cancellationToken)
    {
        var verdict = await authenticator.AuthenticateAsync(session.RemoteEndPoint.Address, session.HeloName, envelope.ReversePath, message, cancellationToken);
        IReadOnlyList<(string Recipient, MessageDisposition Disposition)> decided;
        try
        {
            decided = await dispositions.DecideAsync(envelope.Recipients, verdict, cancellationToken);
        }
        catch (IntakeException e)
        {
            logger.LogWarning("Reading the recipients' DMARC settings failed: {Failure} {Detail}", e.Failure, e.Detail);
            return Unavailable;
        }

        // One transaction, one reply: the message is refused only when every recipient's setting
        // refuses it. When some would refuse and others take it, it is accepted, and the ones that
        // would have refused it get it in Junk rather than nothing: no recipient loses mail another
        // setting let in, and a recipient strict enough to refuse it never sees it in INBOX.
        if (decided.All(d => d.Disposition == MessageDisposition.Reject))
        {
            return new SmtpReply(550, "5.7.1", $"Error: rejected by the DMARC policy of {verdict.Report?.FromDomain}");
        }

        var stored = 0;
        foreach (var group in decided.GroupBy(d => d.Disposition == MessageDisposition.Accept ? "" : JunkMailbox))
        {
            var request = new DeliverRequest
            {
                EnvelopeSender = envelope.ReversePath,
                ClientAddress = session.RemoteEndPoint.Address.ToString(),
                ClientHelo = session.HeloName ?? "",
                ReceivedProtocol = session.ReceivedProtocol(envelope.SmtpUtf8),
                Mailbox = group.Key,
            };
            request.Recipients.AddRange(group.Select(d => d.Recipient));

            // A failure after an earlier group was stored still answers 4xx: the retried message
            // is recognised by the intake for those recipients and not stored twice.
            DeliverReply reply;
            try
            {
                reply = await DeliverAsync(request, verdict, message, cancellationToken);
            }
            catch (IntakeException e)
            {
                logger.LogWarning("Delivery to the intake failed: {Failure} {Detail}", e.Failure, e.Detail);
                return e.Failure switch
                {
                    IntakeFailure.TooLarge => SmtpReply.MessageTooLarge,
                    IntakeFailure.Refused => new SmtpReply(554, "5.6.0", "Error: message refused by the mail store"),
                    _ => Unavailable,
                };
            }

            stored += reply.Results.Count(r => r.Outcome is DeliveryOutcome.Stored or DeliveryOutcome.Duplicate);
        }

        if (stored == 0)
        {
            return new SmtpReply(550, "5.1.1", "Error: no recipient of this message exists any more");
        }

        return new SmtpReply(250, "2.0.0", $"Ok: delivered to {stored} mailbox{(stored == 1 ? "" : "es")}");
    }

    private static readonly SmtpReply Unavailable = new(451, "4.4.3", "Error: mail store unavailable, try again later");

    /// <summary>
    /// The intake's Deliver; a quarantined message whose vaultbox has no Junk folder any more (the
    /// owner deleted it) goes to INBOX, still marked, rather than being deferred until it bounces.
    /// </summary>
    private async Task<DeliverReply> DeliverAsync(DeliverRequest request, AuthenticationVerdict verdict, MessageSpool message, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync(request, verdict, message, cancellationToken);
        }
        catch (IntakeException e) when (e.Failure == IntakeFailure.Precondition && request.Mailbox == JunkMailbox)
        {
            logger.LogInformation("Quarantine to Junk failed ({Detail}); delivering to INBOX", e.Detail);
            request.Mailbox = "";
            return await SendAsync(request, verdict, message, cancellationToken);
        }
    }

    /// <summary>Our rewritten header section, then the spooled message after its own header section.</summary>
    private async Task<DeliverReply> SendAsync(DeliverRequest request, AuthenticationVerdict verdict, MessageSpool message, CancellationToken cancellationToken)
    {
        await using var body = message.OpenRead();
        body.Position = verdict.BodyOffset;
        return await intake.DeliverAsync(request, verdict.Head, body, options.Value.Mx.IntakeTimeout, cancellationToken);
    }
}

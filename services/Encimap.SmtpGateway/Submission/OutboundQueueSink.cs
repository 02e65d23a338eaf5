using Encimap.Mime;
using Encimap.Smtp;
using Encimap.SmtpGateway.Infrastructure;
using Encimap.SmtpGateway.Relay;
using Npgsql;

namespace Encimap.SmtpGateway.Submission;

/// <summary>
/// Submission DATA: checks the From: header against the submitter, then commits the message to
/// the durable queue (<c>outbound_messages</c>) and answers 250 only after that commit.
/// </summary>
public sealed class OutboundQueueSink(OutboundQueue queue, RelaySignal signal, GatewayTelemetry telemetry, ILogger<OutboundQueueSink> logger) : IMessageSink
{
    public async ValueTask<SmtpReply> DeliverAsync(SmtpSessionContext session, SmtpEnvelope envelope, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        if (session.Principal is not Submitter submitter)
        {
            return SmtpReply.AuthRequired;
        }

        var from = MimeMessage.Parse(message).Headers.First("From");
        var addresses = from is null
            ? []
            : AddressParser.Parse(from.RawValue).Select(a => a.Address).OfType<string>().ToList();
        if (addresses.Count == 0)
        {
            telemetry.SubmissionsRefused.Add(1, new KeyValuePair<string, object?>("reason", "no_from"));
            return new SmtpReply(550, "5.7.1", "Error: the message has no From: address");
        }

        if (addresses.FirstOrDefault(a => !submitter.MaySendAs(a)) is { } foreign)
        {
            telemetry.SubmissionsRefused.Add(1, new KeyValuePair<string, object?>("reason", "from_not_owned"));
            return new SmtpReply(550, "5.7.1", $"Error: From: address <{foreign}> is not owned by user {submitter.Name}");
        }

        Guid? id;
        try
        {
            id = await queue.EnqueueAsync(submitter, envelope.ReversePath, envelope.Recipients, message, cancellationToken);
        }
        catch (NpgsqlException e)
        {
            logger.LogWarning(e, "Queueing a submitted message failed");
            return new SmtpReply(451, "4.3.0", "Error: queue unavailable, try again later");
        }

        if (id is null)
        {
            telemetry.SubmissionsRefused.Add(1, new KeyValuePair<string, object?>("reason", "rate_limit"));
            return SubmissionSenderPolicy.RateLimited(submitter.RateLimitPerHour);
        }

        signal.Wake();
        return new SmtpReply(250, "2.0.0", $"Ok: queued as {id:N}");
    }
}

using Encimap.Mime;
using Encimap.Smtp;
using Encimap.SmtpGateway.Infrastructure;
using Encimap.SmtpGateway.Relay;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Encimap.SmtpGateway.Submission;

/// <summary>
/// Submission DATA: checks the From: header against the submitter, then commits the message to
/// the durable queue (<c>outbound_messages</c>) and answers 250 only after that commit. The queued
/// message starts with this hop's Received: field (RFC 5321 §4.4: a server that takes a message
/// for further processing MUST add one), whose id is the queue id the 250 names, as Postfix does.
/// </summary>
public sealed class OutboundQueueSink(
    OutboundQueue queue,
    RelaySignal signal,
    GatewayTelemetry telemetry,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<OutboundQueueSink> logger) : IMessageSink
{
    public async ValueTask<SmtpReply> DeliverAsync(SmtpSessionContext session, SmtpEnvelope envelope, MessageSpool message, CancellationToken cancellationToken)
    {
        if (session.Principal is not Submitter submitter)
        {
            return SmtpReply.AuthRequired;
        }

        var queueId = Guid.CreateVersion7();
        var received = ReceivedField.Format(session.HeloName, session.RemoteEndPoint.Address.ToString(), options.Value.HostName,
            session.ReceivedProtocol(envelope.SmtpUtf8), queueId.ToString("N"), time.GetUtcNow());

        // The one whole copy this sink makes is what the queue stores; the checks read it there
        // (the header alone: MimeKit stops at its end).
        var traced = WithTrace(received, message);
        var from = RawHeader.Value(MessageReader.ReadHeaders(traced.AsMemory(traced.Length - (int)message.Length)), "From");
        var addresses = from is null
            ? []
            : AddressListReader.Read(from).Select(a => a.Address).OfType<string>().ToList();
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

        bool queued;
        try
        {
            queued = await queue.EnqueueAsync(queueId, submitter, envelope.ReversePath, envelope.Recipients, traced, cancellationToken);
        }
        catch (NpgsqlException e)
        {
            logger.LogWarning(e, "Queueing a submitted message failed");
            return new SmtpReply(451, "4.3.0", "Error: queue unavailable, try again later");
        }

        if (!queued)
        {
            telemetry.SubmissionsRefused.Add(1, new KeyValuePair<string, object?>("reason", "rate_limit"));
            return SubmissionSenderPolicy.RateLimited(submitter.RateLimitPerHour);
        }

        signal.Wake();
        return new SmtpReply(250, "2.0.0", $"Ok: queued as {queueId:N}");
    }

    private static byte[] WithTrace(string received, MessageSpool message)
    {
        var field = System.Text.Encoding.ASCII.GetBytes(received + "\r\n");
        var traced = new byte[field.Length + checked((int)message.Length)];
        field.CopyTo(traced, 0);
        using var content = message.OpenRead();
        content.ReadExactly(traced.AsSpan(field.Length));
        return traced;
    }
}

using System.Diagnostics;
using Encimap.Contracts.Intake;
using Encimap.Smtp;
using Encimap.SmtpGateway.Infrastructure;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Encimap.SmtpGateway.Relay;

/// <summary>
/// Delivers the submission queue to the smarthost: claims due rows (several gateway instances can
/// share one queue), relays them, retries temporary failures with exponential backoff until the
/// maximum age, bounces permanent ones into the sender vaultbox's INBOX, and stores the Sent copy
/// of a vaultbox's message once it was relayed (never before).
/// </summary>
public sealed class RelayWorker(
    OutboundQueue queue,
    SmarthostRelay relay,
    DkimSigning dkim,
    RelaySignal signal,
    IntakeDelivery intake,
    GatewayTelemetry telemetry,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<RelayWorker> logger) : BackgroundService
{
    private static readonly TimeSpan IntakeTimeout = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var relayOptions = options.Value.Relay;
        if (string.IsNullOrWhiteSpace(relayOptions.Host))
        {
            logger.LogWarning("No smarthost configured (Smtp:Relay:Host): submitted mail stays queued");
        }

        // An idle poll is no trace: its queries have no parent span, and the service defaults do not
        // export those (OrphanSpanFilter). Each claimed message gets its own "smtp relay" span.
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimedAny = false;
            try
            {
                telemetry.SetQueueDepth(await queue.DepthAsync(stoppingToken));
                if (!string.IsNullOrWhiteSpace(relayOptions.Host))
                {
                    var claimed = await queue.ClaimAsync(relayOptions.BatchSize, relayOptions.LeaseTime, stoppingToken);
                    claimedAny = claimed.Count > 0;
                    await Task.WhenAll(claimed.Select(message => ProcessAsync(message, stoppingToken)));
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning(e, "The relay worker could not read the queue");
            }

            if (!claimedAny)
            {
                try
                {
                    await signal.WaitAsync(relayOptions.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One pass over one claimed row: relay (if due), then the follow-up deliveries.</summary>
    internal async Task ProcessAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        var relayOptions = options.Value.Relay;
        using var activity = SmtpTelemetry.ActivitySource.StartActivity("smtp relay", ActivityKind.Client);
        activity?.SetTag("smtp.queue_id", message.Id.ToString("N"));
        activity?.SetTag("smtp.attempt", message.Attempts);

        var now = time.GetUtcNow();
        var done = new List<string>(message.DoneRecipients);
        var failures = new List<RecipientFailure>(message.Failures);
        var sentCopyPending = message.SentCopyPending;
        var bouncePending = message.BouncePending;
        var bounceContent = message.BounceContent;
        var lastError = message.LastError;
        var status = message.RelayDue ? "sending" : null;
        DateTimeOffset? retryAt = null;

        if (message.RelayDue)
        {
            var pending = message.PendingRecipients.ToList();
            var expires = new DateTimeOffset(DateTime.SpecifyKind(message.CreatedAt, DateTimeKind.Utc)) + relayOptions.MaxAge;
            var deliveredBefore = done.Except(failures.Select(f => f.Recipient), StringComparer.OrdinalIgnoreCase).Any();
            if (now >= expires)
            {
                foreach (var recipient in pending)
                {
                    failures.Add(new RecipientFailure(recipient, "4.4.7", $"delivery time expired; last error: {lastError ?? "none"}", null));
                }

                done.AddRange(pending);
                telemetry.RelayOutcomes.Add(1, new KeyValuePair<string, object?>("outcome", "expired"));
                activity?.SetStatus(ActivityStatusCode.Error, "delivery time expired");
            }
            else if (pending.Count > 0)
            {
                var result = await RelayAsync(message, pending, cancellationToken);
                done.AddRange(result.Delivered);
                foreach (var (recipient, reply) in result.Permanent)
                {
                    failures.Add(new RecipientFailure(recipient, reply.EnhancedCode ?? "5.0.0", reply.ToString(), relayOptions.Host));
                    done.Add(recipient);
                }

                if (result.Delivered.Count > 0)
                {
                    telemetry.RelayOutcomes.Add(1, new KeyValuePair<string, object?>("outcome", "delivered"));
                    if (message.VaultboxId is not null && !deliveredBefore)
                    {
                        sentCopyPending = true;
                    }
                }

                if (result.Permanent.Count > 0)
                {
                    telemetry.RelayOutcomes.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
                    activity?.SetStatus(ActivityStatusCode.Error, $"{result.Permanent.Count} recipient(s) refused by the smarthost");
                }

                if (result.Temporary.Count > 0)
                {
                    telemetry.RelayOutcomes.Add(1, new KeyValuePair<string, object?>("outcome", "deferred"));
                    activity?.SetStatus(ActivityStatusCode.Error, $"{result.Temporary.Count} recipient(s) deferred; retried later");
                    lastError = result.Error;
                    var delay = Backoff(message.Attempts, relayOptions);
                    // The last retry falls on the expiry, so that the bounce is not later than promised.
                    retryAt = now + delay < expires ? now + delay : expires;
                }
            }

            var remaining = message.Recipients.Except(done, StringComparer.OrdinalIgnoreCase).Any();
            if (!remaining)
            {
                var delivered = done.Except(failures.Select(f => f.Recipient), StringComparer.OrdinalIgnoreCase).Any();
                status = delivered ? "sent" : "failed";
                if (failures.Count > 0)
                {
                    lastError = string.Join("; ", failures.Select(f => $"{f.Recipient}: {f.Diagnostic}"));
                    if (message.VaultboxId is not null)
                    {
                        bouncePending = true;
                        bounceContent = DeliveryStatusNotification.Build(options.Value.HostName, message, failures, now);
                    }
                    else
                    {
                        logger.LogWarning("Message {Id} of MotorBlock {MotorBlock} failed: {Error}", message.Id, message.MotorBlockId, lastError);
                    }

                    telemetry.RelayOutcomes.Add(1, new KeyValuePair<string, object?>("outcome", "bounced"));
                }
            }
            else
            {
                status = "queued";
            }
        }

        // Follow-ups through the intake: the Sent copy (the message was relayed), then the bounce.
        var followUpFailed = false;
        if (sentCopyPending && message.VaultboxId is not null)
        {
            sentCopyPending = !await StoreAsync("sent_copy", message.EnvelopeFrom, [message.EnvelopeFrom], message.Content, "Sent", cancellationToken);
            followUpFailed |= sentCopyPending;
        }

        if (bouncePending && bounceContent is not null && message.VaultboxId is not null)
        {
            bouncePending = !await StoreAsync("bounce", "", [message.EnvelopeFrom], bounceContent, "", cancellationToken);
            followUpFailed |= bouncePending;
        }

        if (followUpFailed)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "storing the Sent copy or the bounce through the intake failed; retried later");
            var followUpRetry = now + relayOptions.RetryBaseDelay;
            retryAt = retryAt is null || followUpRetry < retryAt ? followUpRetry : retryAt;
        }

        var update = new OutboundUpdate(
            status ?? message.Status,
            done.Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            failures,
            (retryAt ?? now).UtcDateTime,
            lastError,
            sentCopyPending,
            bouncePending,
            bounceContent);
        if (!await queue.UpdateAsync(message, update, cancellationToken))
        {
            logger.LogWarning("Lost the lease of outbound message {Id}: another instance took it over", message.Id);
        }

        activity?.SetTag("smtp.queue_status", update.Status);
    }

    /// <summary>Signs (DKIM) and sends; a signature that cannot be made now defers every pending recipient.</summary>
    private async Task<RelayResult> RelayAsync(OutboundMessage message, List<string> pending, CancellationToken cancellationToken)
    {
        var content = await dkim.PrepareAsync(message, cancellationToken);
        if (content is null)
        {
            var deferred = new RelayResult { Error = "DKIM signing unavailable (certificate service)" };
            deferred.Temporary.AddRange(pending);
            return deferred;
        }

        return await relay.SendAsync(message.EnvelopeFrom, pending, content, cancellationToken);
    }

    internal static TimeSpan Backoff(int attempts, RelayOptions options)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(options.RetryBaseDelay.Ticks * factor, options.RetryMaxDelay.Ticks));
        return delay < options.RetryMaxDelay ? delay : options.RetryMaxDelay;
    }

    private async Task<bool> StoreAsync(string kind, string sender, IReadOnlyList<string> recipients, byte[] content, string mailbox, CancellationToken cancellationToken)
    {
        var request = new DeliverRequest
        {
            EnvelopeSender = sender,
            RawMessage = UnsafeByteOperations.UnsafeWrap(content),
            ClientAddress = "127.0.0.1",
            ClientHelo = options.Value.HostName,
            Mailbox = mailbox,
            ReceivedProtocol = "ESMTPSA",
        };
        request.Recipients.AddRange(recipients);
        try
        {
            var reply = await intake.DeliverAsync(request, IntakeTimeout, cancellationToken);
            var stored = reply.Results.Any(r => r.Outcome is DeliveryOutcome.Stored or DeliveryOutcome.Duplicate);
            telemetry.FollowUps.Add(1, new("kind", kind), new("outcome", stored ? "stored" : "no_mailbox"));
            // A vaultbox that is gone has nowhere to keep the copy: nothing to retry.
            return true;
        }
        catch (IntakeException e)
        {
            telemetry.FollowUps.Add(1, new("kind", kind), new("outcome", "retry"));
            logger.LogWarning("Storing the {Kind} through the intake failed: {Failure} {Detail}", kind, e.Failure, e.Detail);
            return false;
        }
    }
}

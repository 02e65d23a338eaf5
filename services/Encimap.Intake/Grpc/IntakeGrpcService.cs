using System.Diagnostics;
using Encimap.Contracts.Intake;
using Encimap.Intake.Delivery;
using Encimap.Intake.Infrastructure;
using Encimap.Smtp;
using Grpc.Core;
using Microsoft.Extensions.Options;
using IntakeContract = Encimap.Contracts.Intake.Intake;

namespace Encimap.Intake.Grpc;

/// <summary>
/// <c>encimap.intake.v1.Intake</c> (contracts/protos/intake.proto): <c>ResolveRecipient</c> (the
/// MX's RCPT TO check), <c>Deliver</c> (the message in one call message) and <c>DeliverStream</c>
/// (the message in chunks, spooled as it arrives: pooled memory, then a temporary file). Turns the delivery's failures into gRPC statuses;
/// mapped behind internal-call authentication.
/// </summary>
public sealed class IntakeGrpcService(
    RecipientDirectory directory,
    DeliveryService delivery,
    MessageStore store,
    DeliveryTelemetry telemetry,
    IOptions<IntakeOptions> options) : IntakeContract.IntakeBase
{
    public const string DefaultMailbox = "INBOX";

    public override async Task<ResolveRecipientReply> ResolveRecipient(ResolveRecipientRequest request, ServerCallContext context)
    {
        var address = request.Address ?? "";
        if (address.Length is 0 or > 320 || address.Any(char.IsControl))
        {
            return new ResolveRecipientReply { Found = false };
        }

        var resolved = await Database(() => directory.ResolveAsync([address], context.CancellationToken));
        return resolved[0].Route is { } route
            ? new ResolveRecipientReply { Found = true, VaultboxId = route.VaultboxId.ToString(), DmarcEnforcement = route.DmarcEnforcement ?? "" }
            : new ResolveRecipientReply { Found = false };
    }

    public override async Task<DeliverReply> Deliver(DeliverRequest request, ServerCallContext context)
    {
        var start = Stopwatch.GetTimestamp();
        await RefuseIfTooLargeAsync(request.RawMessage.Length, start);
        using var raw = MessageSpool.Wrap(request.RawMessage.Memory);
        return await DeliverAsync(request, raw, context);
    }

    public override async Task<DeliverReply> DeliverStream(IAsyncStreamReader<DeliverChunk> requestStream, ServerCallContext context)
    {
        var start = Stopwatch.GetTimestamp();
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.PartCase != DeliverChunk.PartOneofCase.Envelope)
        {
            telemetry.Count(DeliveryOutcomes.Rejected);
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first call message must be the envelope"));
        }

        var request = requestStream.Current.Envelope;
        using var raw = new MessageSpool(directory: options.Value.SpoolDirectory);
        await AppendAsync(raw, request.RawMessage.Memory, start, context.CancellationToken);
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            if (requestStream.Current.PartCase != DeliverChunk.PartOneofCase.Data)
            {
                telemetry.Count(DeliveryOutcomes.Rejected);
                throw new RpcException(new Status(StatusCode.InvalidArgument, "only the first call message may be the envelope"));
            }

            await AppendAsync(raw, requestStream.Current.Data.Memory, start, context.CancellationToken);
        }

        return await DeliverAsync(request, raw, context);
    }

    /// <summary>Spools a piece of a streamed message, refusing it once it passes the maximum size.</summary>
    private async Task AppendAsync(MessageSpool raw, ReadOnlyMemory<byte> data, long start, CancellationToken cancellationToken)
    {
        await RefuseIfTooLargeAsync(raw.Length + data.Length, start);
        await raw.WriteAsync(data, cancellationToken);
    }

    private async Task RefuseIfTooLargeAsync(long size, long start)
    {
        var max = options.Value.MaxMessageBytes;
        if (size > max)
        {
            telemetry.Count(DeliveryOutcomes.TooLarge);
            await store.TryLogAsync(null, DeliveryOutcomes.TooLarge, (int)Math.Min(int.MaxValue, size), start, "grpc");
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"the message is larger than {max} bytes"));
        }
    }

    private async Task<DeliverReply> DeliverAsync(DeliverRequest request, MessageSpool raw, ServerCallContext context)
    {
        var settings = options.Value;
        var invalid = Validate(request, raw.Length, settings);
        if (invalid is not null)
        {
            telemetry.Count(DeliveryOutcomes.Rejected);
            throw new RpcException(new Status(StatusCode.InvalidArgument, invalid));
        }

        var targets = await Database(() => directory.ResolveForDeliveryAsync(request.Recipients, context.CancellationToken));
        var message = new InboundMessage(
            raw,
            request.EnvelopeSender.Trim(),
            request.Recipients,
            request.ClientAddress,
            request.ClientHelo,
            MailboxName(request.Mailbox),
            string.IsNullOrWhiteSpace(request.ReceivedProtocol) ? "ESMTP" : request.ReceivedProtocol,
            "grpc",
            request.AllowDuplicates || request.Flags.Count > 0 || request.InternalDate is not null
                ? new AppendOptions(request.Flags.Distinct().ToArray(), request.InternalDate?.ToDateTimeOffset())
                : null);
        DeliveryReport report;
        try
        {
            try
            {
                report = await delivery.DeliverAsync(message, targets, context.CancellationToken);
            }
            catch (DeliveryFailedException e) when (e.Failure == DeliveryFailure.RouteChanged)
            {
                // A remembered route went stale (or a route changed during the delivery):
                // resolve from the database and deliver once more.
                directory.Forget(request.Recipients);
                targets = await Database(() => directory.ResolveAsync(request.Recipients, context.CancellationToken));
                report = await delivery.DeliverAsync(message, targets, context.CancellationToken);
            }
        }
        catch (DeliveryFailedException e)
        {
            throw new RpcException(new Status(e.Failure switch
            {
                DeliveryFailure.Unavailable or DeliveryFailure.RouteChanged => StatusCode.Unavailable,
                DeliveryFailure.NoCertificate or DeliveryFailure.MailboxMissing => StatusCode.FailedPrecondition,
                _ => StatusCode.Internal,
            }, e.Message));
        }

        var reply = new DeliverReply();
        foreach (var (target, copy) in report.Results)
        {
            reply.Results.Add(new DeliveryResult
            {
                Recipient = target.Recipient,
                VaultboxId = target.Route?.VaultboxId.ToString() ?? "",
                Outcome = copy?.Outcome switch
                {
                    CopyOutcome.Stored => DeliveryOutcome.Stored,
                    CopyOutcome.Duplicate => DeliveryOutcome.Duplicate,
                    _ => DeliveryOutcome.UnknownRecipient,
                },
                Uid = copy?.Uid ?? 0,
            });
        }

        return reply;
    }

    /// <summary>The folder name: INBOX is case-insensitive (RFC 9051 §5.1); other names are exact.</summary>
    public static string MailboxName(string? mailbox) =>
        string.IsNullOrWhiteSpace(mailbox) || mailbox.Trim().Equals(DefaultMailbox, StringComparison.OrdinalIgnoreCase)
            ? DefaultMailbox
            : mailbox.Trim();

    private static string? Validate(DeliverRequest request, long size, IntakeOptions options)
    {
        if (size == 0)
        {
            return "raw_message is empty";
        }

        if (request.Recipients.Count == 0)
        {
            return "no recipients";
        }

        if (request.Recipients.Count > options.MaxRecipients)
        {
            return $"more than {options.MaxRecipients} recipients";
        }

        if (request.Recipients.Any(r => string.IsNullOrWhiteSpace(r) || r.Length > 320 || r.Any(char.IsControl)))
        {
            return "a recipient is empty, too long or contains control characters";
        }

        if (request.EnvelopeSender.Length > 320 || request.EnvelopeSender.Any(char.IsControl))
        {
            return "envelope_sender is too long or contains control characters";
        }

        if (request.Flags.Count > 64 || request.Flags.Any(f => f.Length is 0 or > 128 || f.Any(c => c <= ' ' || c > '~' || c is '(' or ')' or '{' or '"' or '%' or '*' or ']')))
        {
            return "a flag is empty, too long or not an IMAP flag";
        }

        if (request.Mailbox.Length > 255 || request.Mailbox.Any(char.IsControl))
        {
            return "mailbox is too long or contains control characters";
        }

        return null;
    }

    // Failures of the reads before a delivery: UNAVAILABLE when the database is away.
    private static async Task<T> Database<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (DeliveryFailedException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
    }
}

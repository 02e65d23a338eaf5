using System.Buffers;
using Encimap.Contracts.Intake;
using Encimap.SmtpGateway.Authentication;
using Google.Protobuf;
using Grpc.Core;
using IntakeContract = Encimap.Contracts.Intake.Intake;

namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>
/// The intake as the gateway uses it: the generated gRPC client, each call under the caller's
/// deadline, its failures turned into <see cref="IntakeException"/> so that no gRPC status travels
/// further than this class. A delivery is never retried here: the caller decides (a 4xx to the SMTP
/// client), with the intake's duplicate detection behind it.
/// </summary>
public sealed class IntakeDelivery(IntakeContract.IntakeClient client)
{
    /// <summary>Whether <paramref name="address"/> has an active vaultbox.</summary>
    public async Task<bool> RecipientExistsAsync(string address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = await CallAsync(client.ResolveRecipientAsync(
            new ResolveRecipientRequest { Address = address }, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken));
        return reply.Found;
    }

    /// <summary>
    /// The DMARC enforcement the vaultbox of <paramref name="address"/> chose, or null for the
    /// deployment's (also when the address has no vaultbox any more: the delivery will say so).
    /// </summary>
    public async Task<DmarcEnforcement?> RecipientDmarcEnforcementAsync(string address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = await CallAsync(client.ResolveRecipientAsync(
            new ResolveRecipientRequest { Address = address }, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken));
        return reply.Found && reply.DmarcEnforcement.Length > 0 && Enum.TryParse<DmarcEnforcement>(reply.DmarcEnforcement, ignoreCase: true, out var chosen)
            ? chosen
            : null;
    }

    /// <summary>Octets of the message per call message of DeliverStream.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>
    /// Stores the message of <paramref name="request"/>; returns only once the intake has
    /// committed it. Sent with DeliverStream, in chunks that point into its buffer.
    /// </summary>
    public Task<DeliverReply> DeliverAsync(DeliverRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var envelope = request.Clone();
        envelope.RawMessage = ByteString.Empty;
        return DeliverAsync(envelope, request.RawMessage.Memory, Stream.Null, timeout, cancellationToken);
    }

    /// <summary>
    /// Stores the message <paramref name="head"/> followed by the rest of <paramref name="body"/>
    /// for the recipients of <paramref name="envelope"/> (whose raw_message is empty); returns only
    /// once the intake has committed it. Sent with DeliverStream, the envelope first and then the
    /// message in chunks, so that neither this process nor the intake ever holds it whole.
    /// </summary>
    public async Task<DeliverReply> DeliverAsync(
        DeliverRequest envelope, ReadOnlyMemory<byte> head, Stream body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var call = client.DeliverStream(deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            await call.RequestStream.WriteAsync(new DeliverChunk { Envelope = envelope }, cancellationToken);
            for (var offset = 0; offset < head.Length; offset += ChunkSize)
            {
                var chunk = head.Slice(offset, Math.Min(ChunkSize, head.Length - offset));
                await call.RequestStream.WriteAsync(new DeliverChunk { Data = UnsafeByteOperations.UnsafeWrap(chunk) }, cancellationToken);
            }

            // One buffer serves every chunk of the body: WriteAsync has serialized the chunk into
            // the HTTP/2 stream by the time it completes, so the buffer is free again.
            int read;
            while ((read = await body.ReadAtLeastAsync(buffer.AsMemory(0, ChunkSize), ChunkSize, throwOnEndOfStream: false, cancellationToken)) > 0)
            {
                await call.RequestStream.WriteAsync(new DeliverChunk { Data = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, read)) }, cancellationToken);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            // The intake ended the call early (a refusal, a limit): its status says why.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return await CallAsync(call.ResponseAsync);
    }

    private static async Task<TReply> CallAsync<TReply>(AsyncUnaryCall<TReply> call)
    {
        using (call)
        {
            return await CallAsync(call.ResponseAsync);
        }
    }

    private static async Task<TReply> CallAsync<TReply>(Task<TReply> response)
    {
        try
        {
            return await response;
        }
        catch (RpcException e)
        {
            throw new IntakeException(e.StatusCode switch
            {
                StatusCode.ResourceExhausted => IntakeFailure.TooLarge,
                StatusCode.InvalidArgument => IntakeFailure.Refused,
                StatusCode.FailedPrecondition => IntakeFailure.Precondition,
                _ => IntakeFailure.Unavailable,
            }, $"{e.StatusCode} {e.Status.Detail}", e);
        }
    }
}

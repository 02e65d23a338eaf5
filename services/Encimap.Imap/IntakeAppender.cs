using Encimap.Contracts.Intake;
using Google.Protobuf;
using Grpc.Core;
using IntakeContract = Encimap.Contracts.Intake.Intake;

namespace Encimap.Imap;

/// <summary>
/// IMAP APPEND's way into the store: the intake's DeliverStream (which spools, encrypts and
/// stores) through the generated gRPC client under a deadline, a failed call turned into
/// <see cref="ServiceUnavailableException"/>.
/// </summary>
public sealed class IntakeAppender(IntakeContract.IntakeClient client)
{
    /// <summary>Octets of the message per call message of DeliverStream.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>
    /// Stores <paramref name="message"/> as <paramref name="envelope"/> (whose raw_message is
    /// empty) says; returns once the intake has committed it. The envelope goes first, then the
    /// message in chunks that point into the caller's buffer: no serialized copy of the whole
    /// message is made here, and the intake spools it rather than holding it in one piece.
    /// </summary>
    public async Task<DeliverReply> DeliverAsync(DeliverRequest envelope, ReadOnlyMemory<byte> message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var call = client.DeliverStream(deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(new DeliverChunk { Envelope = envelope }, cancellationToken);
            for (var offset = 0; offset < message.Length; offset += ChunkSize)
            {
                var chunk = message.Slice(offset, Math.Min(ChunkSize, message.Length - offset));
                await call.RequestStream.WriteAsync(new DeliverChunk { Data = UnsafeByteOperations.UnsafeWrap(chunk) }, cancellationToken);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            // The intake ended the call early (a refusal, a limit): its status says why.
        }

        try
        {
            return await call.ResponseAsync;
        }
        catch (RpcException e)
        {
            throw new ServiceUnavailableException($"the intake did not store the message: {e.StatusCode} {e.Status.Detail}", e);
        }
    }
}

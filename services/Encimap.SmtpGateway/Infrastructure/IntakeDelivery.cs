using Encimap.Contracts.Intake;
using Grpc.Core;
using IntakeContract = Encimap.Contracts.Intake.Intake;

namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>
/// The intake as the gateway uses it: the generated gRPC client, each call under the caller's
/// deadline, its failures turned into <see cref="IntakeException"/> so that no gRPC status travels
/// further than this class. Deliver is never retried here: the caller decides (a 4xx to the SMTP
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

    /// <summary>Stores the message; returns only once the intake has committed it.</summary>
    public Task<DeliverReply> DeliverAsync(DeliverRequest request, TimeSpan timeout, CancellationToken cancellationToken) =>
        CallAsync(client.DeliverAsync(request, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken));

    private static async Task<TReply> CallAsync<TReply>(AsyncUnaryCall<TReply> call)
    {
        using (call)
        {
            try
            {
                return await call.ResponseAsync;
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
}

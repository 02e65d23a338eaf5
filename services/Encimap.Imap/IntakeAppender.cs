using Encimap.Contracts.Intake;
using Grpc.Core;
using IntakeContract = Encimap.Contracts.Intake.Intake;

namespace Encimap.Imap;

/// <summary>
/// IMAP APPEND's way into the store: the intake's Deliver (which encrypts) through the generated
/// gRPC client under a deadline, a failed call turned into <see cref="ServiceUnavailableException"/>.
/// </summary>
public sealed class IntakeAppender(IntakeContract.IntakeClient client)
{
    public async Task<DeliverReply> DeliverAsync(DeliverRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await client.DeliverAsync(request, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken);
        }
        catch (RpcException e)
        {
            throw new ServiceUnavailableException($"the intake did not store the message: {e.StatusCode} {e.Status.Detail}", e);
        }
    }
}

using Encimap.Grpc;

namespace Encimap.Contracts.Intake;

/// <summary>Client of the intake. Register with <c>services.AddGrpcClient&lt;IntakeClient&gt;("intake")</c>.</summary>
public class IntakeClient
{
    private readonly GrpcInvoker _invoker;

    public IntakeClient(GrpcInvoker invoker)
    {
        _invoker = invoker ?? throw new ArgumentNullException(nameof(invoker));
    }

    public virtual Task<ResolveRecipientReply> ResolveRecipientAsync(ResolveRecipientRequest request, GrpcCallOptions? options = null) =>
        _invoker.UnaryAsync(IntakeMethods.ResolveRecipient, request, options);

    public virtual Task<DeliverReply> DeliverAsync(DeliverRequest request, GrpcCallOptions? options = null) =>
        _invoker.UnaryAsync(IntakeMethods.Deliver, request, options);
}

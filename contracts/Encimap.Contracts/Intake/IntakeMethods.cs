using Encimap.Grpc;

namespace Encimap.Contracts.Intake;

/// <summary>The methods of <c>encimap.intake.v1.Intake</c> (intake.proto).</summary>
public static class IntakeMethods
{
    public const string ServiceName = "encimap.intake.v1.Intake";

    public static readonly GrpcMethod<ResolveRecipientRequest, ResolveRecipientReply> ResolveRecipient = new(
        ServiceName, nameof(ResolveRecipient), GrpcMethodType.Unary,
        ResolveRecipientRequest.Parser, ResolveRecipientReply.Parser, idempotent: true);

    /// <summary>Not retried by the transport: the SMTP gateway owns the retry decision (a temporary
    /// SMTP failure), with the intake's duplicate detection behind it.</summary>
    public static readonly GrpcMethod<DeliverRequest, DeliverReply> Deliver = new(
        ServiceName, nameof(Deliver), GrpcMethodType.Unary,
        DeliverRequest.Parser, DeliverReply.Parser, idempotent: false);
}

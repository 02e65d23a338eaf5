using Encimap.Contracts.Certificates;
using Encimap.SmtpGateway.Infrastructure;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using CertificatesContract = Encimap.Contracts.Certificates.Certificates;

namespace Encimap.SmtpGateway.Relay;

/// <summary>
/// DKIM signatures for relayed mail, made by the certificate service (which keeps the domains'
/// keys and never hands them out). The signature covers exactly the bytes the relay then sends:
/// the queued message, its Received field included, with the DKIM-Signature field in front. No
/// gRPC status travels further than this class.
/// </summary>
public sealed partial class DkimSigning(
    CertificatesContract.CertificatesClient certificates,
    GatewayTelemetry telemetry,
    IOptions<GatewayOptions> options,
    ILogger<DkimSigning> logger)
{
    private static readonly TimeSpan SignTimeout = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The bytes to relay for <paramref name="message"/>: signed by its vaultbox's domain, or as
    /// queued when it has no signing domain (a MotorBlock's mail), signing is switched off, or the
    /// certificate service refuses the message itself. Null when the service cannot sign now: the
    /// relay waits and tries again rather than send unsigned mail that the domain's DMARC policy
    /// may reject.
    /// </summary>
    public async Task<byte[]?> PrepareAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        if (!options.Value.Relay.DkimSign || message.SigningDomain is not { Length: > 0 } domain)
        {
            return message.Content;
        }

        try
        {
            using var call = certificates.SignDkimAsync(
                new SignDkimRequest { Domain = domain, Message = UnsafeByteOperations.UnsafeWrap(message.Content) },
                deadline: DateTime.UtcNow + SignTimeout,
                cancellationToken: cancellationToken);
            var reply = await call.ResponseAsync;
            telemetry.DkimSignatures.Add(1, new KeyValuePair<string, object?>("outcome", "signed"));
            return Signed(reply.SignatureField.Span, message.Content);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.ResourceExhausted)
        {
            // Asking again would get the same answer: the message goes as it is.
            telemetry.DkimSignatures.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
            LogRefused(logger, message.Id, domain, e.StatusCode, e.Status.Detail);
            return message.Content;
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            telemetry.DkimSignatures.Add(1, new KeyValuePair<string, object?>("outcome", "deferred"));
            LogUnavailable(logger, message.Id, domain, e.StatusCode, e.Status.Detail);
            return null;
        }
    }

    private static byte[] Signed(ReadOnlySpan<byte> field, byte[] content)
    {
        var signed = new byte[field.Length + content.Length];
        field.CopyTo(signed);
        content.CopyTo(signed.AsSpan(field.Length));
        return signed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The certificate service refused to DKIM-sign outbound message {Id} for {Domain} ({Status}: {Detail}); relaying it unsigned")]
    private static partial void LogRefused(ILogger logger, Guid id, string domain, StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DKIM signing of outbound message {Id} for {Domain} failed ({Status}: {Detail}); retried later")]
    private static partial void LogUnavailable(ILogger logger, Guid id, string domain, StatusCode status, string detail);
}

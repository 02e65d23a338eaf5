using Encimap.SmtpGateway.Authentication;
using Encimap.SmtpGateway.Infrastructure;
using Microsoft.Extensions.Options;

namespace Encimap.SmtpGateway.Mx;

/// <summary>
/// What the DMARC result does to the message for each recipient: the enforcement its vaultbox
/// chose (<c>vaultboxes.dmarc_enforcement</c>, through the intake's ResolveRecipient) or else the
/// deployment's (<see cref="AuthenticationOptions.DmarcEnforcement"/>). Vaultboxes are asked only
/// when the message failed a DMARC policy that asks for something, so ordinary mail costs no
/// look-up.
/// </summary>
public sealed class RecipientDispositions(IntakeDelivery intake, IOptions<GatewayOptions> options)
{
    /// <exception cref="IntakeException">A vaultbox's setting could not be read.</exception>
    public async Task<IReadOnlyList<(string Recipient, MessageDisposition Disposition)>> DecideAsync(
        IReadOnlyList<string> recipients, AuthenticationVerdict verdict, CancellationToken cancellationToken)
    {
        if (verdict.Report is not { } report || !InboundAuthenticator.AsksForAction(report.Dmarc))
        {
            return recipients.Select(r => (r, MessageDisposition.Accept)).ToArray();
        }

        var mx = options.Value.Mx;
        var deployment = mx.Authentication.DmarcEnforcement;
        var chosen = await Task.WhenAll(recipients.Select(r => intake.RecipientDmarcEnforcementAsync(r, mx.IntakeTimeout, cancellationToken)));
        return recipients.Select((r, i) => (r, InboundAuthenticator.Disposition(report.Dmarc, chosen[i] ?? deployment))).ToArray();
    }
}

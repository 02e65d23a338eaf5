using Encimap.Smtp;
using Encimap.SmtpGateway.Infrastructure;
using Microsoft.Extensions.Options;

namespace Encimap.SmtpGateway.Mx;

/// <summary>
/// MX RCPT TO: only addresses with an active vaultbox (the intake's ResolveRecipient; addresses
/// found recently are remembered by <see cref="FoundRecipientCache"/>).
/// </summary>
public sealed class IntakeRecipientPolicy(
    IntakeDelivery intake, FoundRecipientCache found, IOptions<GatewayOptions> options, ILogger<IntakeRecipientPolicy> logger) : IRecipientPolicy
{
    public static readonly SmtpReply LookupUnavailable = new(451, "4.4.3", "Error: recipient lookup unavailable, try again later");

    public async ValueTask<SmtpReply?> CheckRecipientAsync(SmtpSessionContext session, SmtpEnvelope envelope, string recipient, CancellationToken cancellationToken)
    {
        if (found.Contains(recipient))
        {
            return null;
        }

        try
        {
            if (!await intake.RecipientExistsAsync(recipient, options.Value.Mx.IntakeTimeout, cancellationToken))
            {
                return new SmtpReply(550, "5.1.1", $"<{recipient}>: Recipient address rejected: User unknown");
            }

            found.Add(recipient);
            return null;
        }
        catch (IntakeException e)
        {
            logger.LogWarning("Recipient lookup failed: {Failure} {Detail}", e.Failure, e.Detail);
            return LookupUnavailable;
        }
    }
}

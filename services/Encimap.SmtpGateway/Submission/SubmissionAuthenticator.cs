using Encimap.Contracts.Credentials;
using Encimap.LoginThrottling;
using Encimap.Smtp;
using Encimap.SmtpGateway.Infrastructure;

namespace Encimap.SmtpGateway.Submission;

/// <summary>
/// AUTH on the submission port through the API's credential verification (MotorBlock accounts
/// first, then vaultbox SMTP credentials), throttled by <see cref="LoginPenalty"/>: per client
/// address and per address and username, never per username alone.
/// </summary>
public sealed class SubmissionAuthenticator(
    CredentialVerification credentials,
    LoginPenalty penalty,
    ILogger<SubmissionAuthenticator> logger) : ISmtpAuthenticator
{
    private static readonly TimeSpan VerifyTimeout = TimeSpan.FromSeconds(15);

    public async ValueTask<SmtpAuthResult> AuthenticateAsync(SmtpSessionContext session, string userName, string password, CancellationToken cancellationToken)
    {
        var address = session.RemoteEndPoint.Address;

        // Attempts from an address with recent failures wait before being checked, right
        // password or not, so that the answer's timing tells a guesser nothing.
        var admission = penalty.Admit(address, userName);
        await Task.Delay(admission.Delay, cancellationToken);
        if (admission.Refused)
        {
            logger.LogInformation("SMTP login from {Address} refused: too many failed logins", address);
            return SmtpAuthResult.Locked;
        }

        VerifyLoginReply reply;
        try
        {
            reply = await credentials.VerifySmtpLoginAsync(
                new VerifyLoginRequest { Username = userName, Password = password, ClientAddress = address.ToString() },
                VerifyTimeout,
                cancellationToken);
        }
        catch (CredentialVerificationUnavailableException e)
        {
            logger.LogWarning("Credential verification failed: {Detail}", e.Message);
            return SmtpAuthResult.Temporary;
        }

        switch (reply.Kind)
        {
            case PrincipalKind.Vaultbox when Guid.TryParse(reply.VaultboxId, out var vaultboxId) && reply.Address.Length > 0:
                penalty.Succeeded(address, userName);
                return SmtpAuthResult.Success(Submitter.Vaultbox(userName, vaultboxId, reply.Address));
            case PrincipalKind.MotorBlock when Guid.TryParse(reply.MotorBlockId, out var motorBlockId):
                penalty.Succeeded(address, userName);
                return SmtpAuthResult.Success(Submitter.MotorBlock(userName, motorBlockId, reply.SendingDomain, reply.RateLimitPerHour));
            default:
                logger.LogInformation("Failed SMTP login from {Address}", address);
                await Task.Delay(penalty.Failed(address, userName), cancellationToken);
                return SmtpAuthResult.Failure;
        }
    }
}

using Encimap.Contracts.Credentials;
using Encimap.Smtp;
using Encimap.SmtpGateway.Infrastructure;
using Microsoft.Extensions.Options;

namespace Encimap.SmtpGateway.Submission;

/// <summary>
/// AUTH on the submission port through the API's credential verification (MotorBlock accounts
/// first, then vaultbox SMTP credentials). Failed logins are answered late and counted per IP.
/// </summary>
public sealed class SubmissionAuthenticator(
    CredentialVerification credentials,
    LoginThrottle throttle,
    IOptions<GatewayOptions> options,
    ILogger<SubmissionAuthenticator> logger) : ISmtpAuthenticator
{
    private static readonly TimeSpan VerifyTimeout = TimeSpan.FromSeconds(15);

    public async ValueTask<SmtpAuthResult> AuthenticateAsync(SmtpSessionContext session, string userName, string password, CancellationToken cancellationToken)
    {
        var address = session.RemoteEndPoint.Address;
        if (throttle.IsLockedOut(address))
        {
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
                throttle.RecordSuccess(address);
                return SmtpAuthResult.Success(Submitter.Vaultbox(userName, vaultboxId, reply.Address));
            case PrincipalKind.MotorBlock when Guid.TryParse(reply.MotorBlockId, out var motorBlockId):
                throttle.RecordSuccess(address);
                return SmtpAuthResult.Success(Submitter.MotorBlock(userName, motorBlockId, reply.SendingDomain, reply.RateLimitPerHour));
            default:
                var locked = throttle.RecordFailure(address);
                logger.LogInformation("Failed SMTP login from {Address}{Locked}", address, locked ? " (now locked out)" : "");
                await Task.Delay(options.Value.Submission.LoginFailureDelay, cancellationToken);
                return locked ? SmtpAuthResult.Locked : SmtpAuthResult.Failure;
        }
    }
}

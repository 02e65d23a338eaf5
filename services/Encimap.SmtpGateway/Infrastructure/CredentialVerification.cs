using Encimap.Contracts.Credentials;
using Grpc.Core;
using CredentialsContract = Encimap.Contracts.Credentials.Credentials;

namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>
/// The API's credential verification as the submission port uses it: the generated gRPC client
/// under a deadline, a failed call turned into <see cref="CredentialVerificationUnavailableException"/>.
/// </summary>
public sealed class CredentialVerification(CredentialsContract.CredentialsClient client)
{
    public async Task<VerifyLoginReply> VerifySmtpLoginAsync(VerifyLoginRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await client.VerifySmtpLoginAsync(request, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken);
        }
        catch (RpcException e)
        {
            throw new CredentialVerificationUnavailableException($"{e.StatusCode} {e.Status.Detail}", e);
        }
    }
}

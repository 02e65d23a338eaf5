using Encimap.Contracts.Credentials;
using Grpc.Core;
using CredentialsContract = Encimap.Contracts.Credentials.Credentials;

namespace Encimap.Imap;

/// <summary>
/// The API's credential verification as IMAP LOGIN uses it: the generated gRPC client under a
/// deadline, a failed call turned into <see cref="ServiceUnavailableException"/>.
/// </summary>
public sealed class CredentialVerification(CredentialsContract.CredentialsClient client)
{
    public async Task<VerifyLoginReply> VerifyImapLoginAsync(VerifyLoginRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await client.VerifyImapLoginAsync(request, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken);
        }
        catch (RpcException e)
        {
            throw new ServiceUnavailableException($"credential verification failed: {e.StatusCode} {e.Status.Detail}", e);
        }
    }
}

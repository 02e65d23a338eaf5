using Encimap.Contracts.Credentials;
using Grpc.Core;
using CredentialsContract = Encimap.Contracts.Credentials.Credentials;

namespace Encimap.Api.Credentials;

/// <summary>
/// <c>encimap.credentials.v1.Credentials</c> (contracts/protos/credentials.proto): the logins of
/// the IMAP front-end and the SMTP submission port. Mapped behind internal-call authentication.
/// </summary>
public sealed class CredentialsGrpcService(LoginVerifier verifier) : CredentialsContract.CredentialsBase
{
    public override Task<VerifyLoginReply> VerifyImapLogin(VerifyLoginRequest request, ServerCallContext context) =>
        verifier.VerifyImapAsync(request.Username, request.Password, context.CancellationToken);

    public override Task<VerifyLoginReply> VerifySmtpLogin(VerifyLoginRequest request, ServerCallContext context) =>
        verifier.VerifySmtpAsync(request.Username, request.Password, context.CancellationToken);
}

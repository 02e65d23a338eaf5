using Encimap.Grpc;

namespace Encimap.Contracts.Credentials;

/// <summary>Client of credential verification. Register with
/// <c>services.AddGrpcClient&lt;CredentialsClient&gt;("api")</c> (the API serves it).</summary>
public class CredentialsClient
{
    private readonly GrpcInvoker _invoker;

    public CredentialsClient(GrpcInvoker invoker)
    {
        _invoker = invoker ?? throw new ArgumentNullException(nameof(invoker));
    }

    public virtual Task<VerifyLoginReply> VerifyImapLoginAsync(VerifyLoginRequest request, GrpcCallOptions? options = null) =>
        _invoker.UnaryAsync(CredentialsMethods.VerifyImapLogin, request, options);

    public virtual Task<VerifyLoginReply> VerifySmtpLoginAsync(VerifyLoginRequest request, GrpcCallOptions? options = null) =>
        _invoker.UnaryAsync(CredentialsMethods.VerifySmtpLogin, request, options);
}

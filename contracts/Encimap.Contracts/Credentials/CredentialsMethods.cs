using Encimap.Grpc;

namespace Encimap.Contracts.Credentials;

/// <summary>The methods of <c>encimap.credentials.v1.Credentials</c> (credentials.proto).</summary>
public static class CredentialsMethods
{
    public const string ServiceName = "encimap.credentials.v1.Credentials";

    public static readonly GrpcMethod<VerifyLoginRequest, VerifyLoginReply> VerifyImapLogin = new(
        ServiceName, nameof(VerifyImapLogin), GrpcMethodType.Unary,
        VerifyLoginRequest.Parser, VerifyLoginReply.Parser, idempotent: true);

    public static readonly GrpcMethod<VerifyLoginRequest, VerifyLoginReply> VerifySmtpLogin = new(
        ServiceName, nameof(VerifySmtpLogin), GrpcMethodType.Unary,
        VerifyLoginRequest.Parser, VerifyLoginReply.Parser, idempotent: true);
}

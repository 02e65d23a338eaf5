using Encimap.Contracts.Credentials;
using Encimap.Grpc;

namespace Encimap.Api.Credentials;

/// <summary>The gRPC credential verification service (contracts/protos/credentials.proto).</summary>
public static class CredentialVerificationEndpoints
{
    /// <summary>Maps the methods in a group, so that the caller can require internal-call authentication of all of them.</summary>
    public static RouteGroupBuilder MapCredentialVerification(this IEndpointRouteBuilder app)
    {
        var endpoints = app.MapGroup("");
        endpoints.MapGrpcUnary(CredentialsMethods.VerifyImapLogin, (request, context) =>
            context.HttpContext.RequestServices.GetRequiredService<LoginVerifier>()
                .VerifyImapAsync(request.Username, request.Password, context.CancellationToken));
        endpoints.MapGrpcUnary(CredentialsMethods.VerifySmtpLogin, (request, context) =>
            context.HttpContext.RequestServices.GetRequiredService<LoginVerifier>()
                .VerifySmtpAsync(request.Username, request.Password, context.CancellationToken));
        return endpoints;
    }
}

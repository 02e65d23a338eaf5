using System.Net.Http.Headers;

namespace Encimap.ServiceDefaults.Security;

/// <summary>Adds <c>Authorization: Bearer</c> with an internal-call token to each request.</summary>
public sealed class InternalCallTokenHandler(JwtTokenIssuer issuer, string caller) : DelegatingHandler
{
    private readonly InternalCallToken _token = new(issuer, caller);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token.Current());
        return base.SendAsync(request, cancellationToken);
    }
}

using System.Net.Http.Headers;

namespace Encimap.ServiceDefaults.Security;

/// <summary>
/// Adds <c>Authorization: Bearer</c> with an internal-call token to each request, minting a new
/// one when the current one is past half its lifetime (signing per call would cost more than the call).
/// </summary>
public sealed class InternalCallTokenHandler(JwtTokenIssuer issuer, string caller) : DelegatingHandler
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly Lock _gate = new();
    private string? _token;
    private DateTimeOffset _renewAt;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", CurrentToken());
        return base.SendAsync(request, cancellationToken);
    }

    private string CurrentToken()
    {
        lock (_gate)
        {
            if (_token is null || DateTimeOffset.UtcNow >= _renewAt)
            {
                _token = issuer.Mint(caller, Lifetime);
                _renewAt = DateTimeOffset.UtcNow + Lifetime / 2;
            }

            return _token;
        }
    }
}

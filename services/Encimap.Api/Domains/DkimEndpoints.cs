using Encimap.Api.Certificates;
using Encimap.Api.Infrastructure;
using Encimap.Api.Platform;
using Encimap.Api.Vaultboxes;
using Encimap.Contracts.Certificates;

namespace Encimap.Api.Domains;

/// <summary>
/// <c>GET /s2s/v1/domains/{domain}/dkim</c>: the DKIM key that signs the mail of the caller's
/// domain (made on first use) and the DNS record the platform must publish for it. Another
/// user's domain reads as absent (404), as another user's vaultbox does.
/// </summary>
public static class DkimEndpoints
{
    private static readonly TimeSpan KeyTimeout = TimeSpan.FromSeconds(30);

    public static RouteGroupBuilder MapDomains(this RouteGroupBuilder api)
    {
        api.MapGet("/domains/{domain}/dkim", GetAsync);
        return api;
    }

    private static async Task<IResult> GetAsync(
        string domain, Caller caller, PlatformDirectory platform, CertificateServiceClient certificates, CancellationToken ct)
    {
        if (!AddressRules.TryNormalizeDomain(domain, out var normalized, out var problem))
        {
            return ApiResults.Validation(problem);
        }

        switch (await platform.GetDomainStandingAsync(caller.UserId, normalized, ct))
        {
            case DomainStanding.Verified:
                break;
            case DomainStanding.NotVerified:
                return ApiResults.Forbidden("domain_not_verified", "the domain is not verified");
            default:
                return ApiResults.NotFound("domain");
        }

        try
        {
            var key = await certificates.GetDkimKeyAsync(new GetDkimKeyRequest { Domain = normalized }, KeyTimeout, ct);
            return ApiResults.Ok(DkimRecordResponse.From(key));
        }
        catch (CertificateServiceException e) when (e.Failure == CertificateServiceFailure.InvalidRequest)
        {
            return ApiResults.Validation(e.Detail);
        }
        catch (CertificateServiceException)
        {
            return ApiResults.Unavailable("certificate_service_unavailable", "the certificate service could not complete the request");
        }
    }
}

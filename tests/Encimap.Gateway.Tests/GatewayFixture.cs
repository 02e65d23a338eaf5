using System.Net.Http.Headers;
using System.Security.Cryptography;
using Encimap.ServiceDefaults.Security;
using Encimap.Testing;

namespace Encimap.Gateway.Tests;

/// <summary>
/// The fleet the gateway's tests share: the chain gateway → API → PostgreSQL the platform talks
/// to, the platform's user tokens and the fleet's S2S tokens under different keys as in a
/// deployment, and three more gateways: one in front of an upstream the tests run
/// (<see cref="RecordingUpstream"/>), and two with tiny rate limits. The API logs every request
/// it receives: the tests prove what never reached it.
/// </summary>
public sealed class GatewayFixture : EncimapFleet
{
    /// <summary>The fleet's gateway, in front of the fleet's API.</summary>
    public const string Gateway = "gateway";

    /// <summary>A gateway in front of <see cref="UpstreamAddress"/> instead of the API.</summary>
    public const string UpstreamGateway = "gateway-upstream";

    /// <summary>A gateway that lets each user make 3 requests a minute.</summary>
    public const string UserLimitedGateway = "gateway-user-limited";

    /// <summary>A gateway that lets each address make 2 requests in five minutes.</summary>
    public const string AddressLimitedGateway = "gateway-address-limited";

    public GatewayFixture()
    {
        Configure("api", "Api__BcryptCost", "4");
        Configure("api", "Api__MailHost", "mail.test.example");
        Configure("api", "Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics", "Information");
        Configure("certificates", "Certificates__KeyPoolSize", "4");

        AddInstance(Gateway, UpstreamGateway);
        Configure(UpstreamGateway, "services__api__http__0", UpstreamAddress.AbsoluteUri);

        AddInstance(Gateway, UserLimitedGateway);
        Configure(UserLimitedGateway, "Gateway__RateLimits__PermitsPerUser", "3");
        Configure(UserLimitedGateway, "Gateway__RateLimits__PermitsPerIp", "1000");
        Configure(UserLimitedGateway, "Gateway__RateLimits__Window", "00:01:00");

        AddInstance(Gateway, AddressLimitedGateway);
        Configure(AddressLimitedGateway, "Gateway__RateLimits__PermitsPerIp", "2");
        Configure(AddressLimitedGateway, "Gateway__RateLimits__Window", "00:05:00");
    }

    /// <summary>Where <see cref="UpstreamGateway"/> forwards to: a test starts its <see cref="RecordingUpstream"/> there.</summary>
    public Uri UpstreamAddress { get; } = new($"http://127.0.0.1:{LoopbackPort.Free()}");

    /// <summary>The trust between gateway and API (<c>Jwt:S2S</c>).</summary>
    public JwtOptions S2s => S2sJwt;

    /// <summary>The platform's user tokens as the gateway expects them (<c>Jwt:User</c>, defaults for issuer and audience).</summary>
    public JwtOptions User => new() { Issuer = "motorical-platform", Audience = "encimap-gateway", SigningKey = UserJwtSigningKey };

    /// <summary>Everything the API has logged so far.</summary>
    public string ApiLog => Logs("api");

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    /// <summary>A user token as the platform would issue it.</summary>
    public string UserToken(Guid userId, TimeSpan? lifetime = null) => new JwtTokenIssuer(User).Mint(userId.ToString(), lifetime);

    /// <summary>A client of a gateway (default: the fleet's) with a user token for <paramref name="userId"/>.</summary>
    public HttpClient GatewayClientFor(Guid userId, string gateway = Gateway) => Client(gateway, UserToken(userId));

    public HttpClient GatewayClient(string? token, string gateway = Gateway) => Client(gateway, token);

    /// <summary>A client of the API itself, bypassing the gateway.</summary>
    public HttpClient ApiClient(string? token) => Client("api", token);

    /// <summary>
    /// Whether the API logged a request whose URL contains <paramref name="marker"/> within
    /// <paramref name="wait"/> (its request log is written asynchronously).
    /// </summary>
    public async Task<bool> ApiLoggedAsync(string marker, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        do
        {
            if (ApiLog.Contains(marker, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return false;
    }

    private HttpClient Client(string service, string? token)
    {
        var client = new HttpClient { BaseAddress = Http(service) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}

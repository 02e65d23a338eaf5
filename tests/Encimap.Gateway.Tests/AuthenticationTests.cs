using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Encimap.ServiceDefaults.Security;

namespace Encimap.Gateway.Tests;

/// <summary>
/// User tokens are checked at the gateway: a bad one is answered 401 with the envelope and the
/// API never sees the request (its request log is the witness). What reaches the API is an S2S
/// token, never the user's.
/// </summary>
[Collection(GatewayFleetCollection.Name)]
public sealed class AuthenticationTests(GatewayFixture fleet)
{
    private const string P = GatewayCalls.Prefix;

    public static TheoryData<string> BadTokens =>
    [
        "missing", "forged", "expired", "wrong-audience", "wrong-issuer", "s2s-token", "subject-not-a-uuid", "unsigned", "garbage",
    ];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_user_token_is_refused_before_anything_is_forwarded(string kind)
    {
        var userId = Guid.NewGuid();
        using var http = fleet.GatewayClient(BadToken(kind, userId));
        var marker = Guid.NewGuid().ToString("N");

        using var list = await http.GetAsync($"{P}/vaultboxes?probe={marker}");
        using var create = await http.PostAsync($"{P}/vaultboxes?probe={marker}", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal("unauthorized", await list.ErrorCodeAsync(HttpStatusCode.Unauthorized));
        Assert.Equal("unauthorized", await create.ErrorCodeAsync(HttpStatusCode.Unauthorized));
        Assert.Equal("Bearer", list.Headers.WwwAuthenticate.Single().Scheme);
        await AssertApiNeverSawAsync(marker);
    }

    [Fact]
    public async Task An_expired_token_is_told_so()
    {
        using var http = fleet.GatewayClient(BadToken("expired", Guid.NewGuid()));

        using var response = await http.GetAsync($"{P}/vaultboxes");

        var error = (await response.EnvelopeAsync(HttpStatusCode.Unauthorized)).GetProperty("error");
        Assert.Contains("expired", error.GetProperty("message").GetString());
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.Single().Parameter);
    }

    [Fact]
    public async Task The_api_receives_an_s2s_token_and_never_the_users()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        var userToken = fleet.UserToken(tenant.UserId);
        var s2sToken = fleet.S2sToken(tenant.UserId);

        using var viaGateway = await fleet.GatewayClient(userToken).GetAsync($"{P}/vaultboxes");
        using var userTokenAtApi = await fleet.ApiClient(userToken).GetAsync("/s2s/v1/vaultboxes");
        using var s2sTokenAtGateway = await fleet.GatewayClient(s2sToken).GetAsync($"{P}/vaultboxes");
        using var s2sTokenAtApi = await fleet.ApiClient(s2sToken).GetAsync("/s2s/v1/vaultboxes");

        // The user token works only through the gateway, which therefore forwards something else:
        // a token the API accepts, which only the S2S key can sign.
        await viaGateway.DataAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, userTokenAtApi.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, s2sTokenAtGateway.StatusCode);
        await s2sTokenAtApi.DataAsync();
    }

    [Fact]
    public async Task The_forwarded_request_carries_a_fresh_s2s_token_and_no_client_credentials_or_spoofed_hops()
    {
        await using var upstream = await RecordingUpstream.StartAsync(fleet.UpstreamAddress);
        const string gateway = GatewayFixture.UpstreamGateway;
        var userId = Guid.NewGuid();
        using var http = fleet.GatewayClientFor(userId, gateway);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{P}/vaultboxes/abc/smtp-credentials/regenerate?x=1&y=%2F&z=a+b")
        {
            Content = new StringContent("{\"k\":1}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Cookie", "session=platform-secret");
        request.Headers.Add("Proxy-Authorization", "Basic c2VjcmV0");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        request.Headers.Add("Forwarded", "for=203.0.113.9;host=evil.example");
        request.Headers.Add("X-Real-IP", "203.0.113.9");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(upstream.Requests);
        Assert.Equal("POST", seen.Method);
        Assert.Equal("/s2s/v1/vaultboxes/abc/smtp-credentials/regenerate", seen.Path);
        Assert.Equal("?x=1&y=%2F&z=a+b", seen.Query);
        Assert.Equal("{\"k\":1}", seen.Body);
        Assert.False(seen.Headers.ContainsKey("Cookie"));
        Assert.False(seen.Headers.ContainsKey("Proxy-Authorization"));
        Assert.False(seen.Headers.ContainsKey("Forwarded"));
        Assert.False(seen.Headers.ContainsKey("X-Real-IP"));
        Assert.Equal("127.0.0.1", seen.Headers["X-Forwarded-For"]);
        Assert.Equal(fleet.Http(gateway).Authority, seen.Headers["X-Forwarded-Host"]);

        var authorization = AuthenticationHeaderValue.Parse(seen.Headers["Authorization"]);
        Assert.Equal("Bearer", authorization.Scheme);
        Assert.NotEqual(http.DefaultRequestHeaders.Authorization!.Parameter, authorization.Parameter);
        var token = await RecordingUpstream.ValidateAsync(authorization.Parameter!, S2sAuthenticationExtensions.ValidationParameters(fleet.S2s));
        Assert.Equal(userId.ToString(), token.Subject);
        Assert.Equal("encimap-gateway", token.Issuer);
        Assert.Equal(["encimap-api"], token.Audiences);
        Assert.InRange((token.ValidTo - token.IssuedAt).TotalSeconds, 100, 140);
    }

    [Fact]
    public async Task Large_responses_are_streamed_not_buffered()
    {
        await using var upstream = await RecordingUpstream.StartAsync(fleet.UpstreamAddress);
        using var http = fleet.GatewayClientFor(Guid.NewGuid(), GatewayFixture.UpstreamGateway);

        // The upstream sends its first megabyte and then waits until the client has received
        // bytes: a proxy that buffered the whole response would never deliver any.
        using var response = await http.GetAsync($"{P}/stream", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var first = await body.ReadAsync(buffer, timeout.Token);
        Assert.True(first > 0);
        upstream.ClientReceivedFirstBytes.TrySetResult();
        long total = first;
        int read;
        while ((read = await body.ReadAsync(buffer, timeout.Token)) > 0)
        {
            total += read;
        }

        Assert.Equal(RecordingUpstream.StreamLength, total);
    }

    private async Task AssertApiNeverSawAsync(string marker)
    {
        // A later request that does reach the API shows that its log has caught up.
        var tenant = await Tenant.CreateAsync(fleet);
        var witness = Guid.NewGuid().ToString("N");
        using var http = fleet.GatewayClientFor(tenant.UserId);
        using var response = await http.GetAsync($"{P}/vaultboxes?witness={witness}");
        await response.DataAsync();
        Assert.True(await fleet.ApiLoggedAsync(witness, TimeSpan.FromSeconds(10)), "the API's request log is not visible");
        Assert.DoesNotContain(marker, fleet.ApiLog, StringComparison.Ordinal);
    }

    private string? BadToken(string kind, Guid userId) => kind switch
    {
        "missing" => null,
        "forged" => new JwtTokenIssuer(With(fleet.User, key: GatewayFixture.NewKey())).Mint(userId.ToString()),
        "expired" => new JwtTokenIssuer(fleet.User, new ShiftedClock(TimeSpan.FromHours(-1))).Mint(userId.ToString(), TimeSpan.FromMinutes(10)),
        "wrong-audience" => new JwtTokenIssuer(With(fleet.User, audience: "encimap-api")).Mint(userId.ToString()),
        "wrong-issuer" => new JwtTokenIssuer(With(fleet.User, issuer: "someone-else")).Mint(userId.ToString()),
        "s2s-token" => fleet.S2sToken(userId),
        "subject-not-a-uuid" => new JwtTokenIssuer(fleet.User).Mint("admin"),
        "unsigned" => Unsigned(userId),
        "garbage" => "not.a.token",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static JwtOptions With(JwtOptions options, string? key = null, string? issuer = null, string? audience = null) => new()
    {
        SigningKey = key ?? options.SigningKey,
        Issuer = issuer ?? options.Issuer,
        Audience = audience ?? options.Audience,
    };

    // {"alg":"none"}: a token anyone can write.
    private static string Unsigned(Guid userId)
    {
        static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "."
            + Encode($"{{\"sub\":\"{userId}\",\"iss\":\"motorical-platform\",\"aud\":\"encimap-gateway\",\"iat\":{now},\"nbf\":{now},\"exp\":{now + 600}}}") + ".";
    }

    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }
}

using System.Net;
using System.Security.Cryptography;
using Encimap.ServiceDefaults.Security;

namespace Encimap.Api.Tests;

/// <summary>Every route but health needs a valid S2S token: issuer, audience, lifetime and signature checked.</summary>
[Collection(ApiFleetCollection.Name)]
public sealed class AuthenticationTests(ApiFixture fleet)
{
    public static TheoryData<string> ProtectedRoutes => new()
    {
        "/s2s/v1/vaultboxes",
        "/s2s/v1/usage",
        $"/s2s/v1/vaultboxes/{Guid.NewGuid()}",
        $"/s2s/v1/vaultboxes/{Guid.NewGuid()}/smtp-credentials",
    };

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task No_token_is_401_in_the_envelope(string path)
    {
        using var http = fleet.ClientWithToken(null);

        using var response = await http.GetAsync(path);

        Assert.Equal("unauthorized", await response.ErrorCodeAsync(HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task Expired_token_is_401()
    {
        var token = new JwtTokenIssuer(fleet.S2sJwt, new ShiftedClock(TimeSpan.FromHours(-2))).Mint(Guid.NewGuid().ToString(), TimeSpan.FromMinutes(5));

        using var response = await fleet.ClientWithToken(token).GetAsync("/s2s/v1/vaultboxes");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Wrong_audience_wrong_issuer_and_forged_signature_are_401()
    {
        var user = Guid.NewGuid().ToString();
        string[] tokens =
        [
            new JwtTokenIssuer(new JwtOptions { SigningKey = fleet.S2sSigningKey, Audience = "someone-else" }).Mint(user),
            new JwtTokenIssuer(new JwtOptions { SigningKey = fleet.S2sSigningKey, Issuer = "mallory" }).Mint(user),
            new JwtTokenIssuer(new JwtOptions { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)) }).Mint(user),
            "not.a.jwt",
        ];

        foreach (var token in tokens)
        {
            using var response = await fleet.ClientWithToken(token).GetAsync("/s2s/v1/vaultboxes");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_token_whose_subject_is_not_a_user_id_is_401()
    {
        var token = new JwtTokenIssuer(fleet.S2sJwt).Mint("admin");

        using var response = await fleet.ClientWithToken(token).GetAsync("/s2s/v1/vaultboxes");

        Assert.Equal("unauthorized", await response.ErrorCodeAsync(HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task Health_and_the_openapi_document_need_no_token()
    {
        using var http = fleet.ClientWithToken(null);

        using var health = await http.GetAsync("/s2s/v1/health");
        using var openApi = await http.GetAsync("/openapi/v1.json");

        // The seed's shape, no envelope; the fleet does not point the API at the SMTP gateway.
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var body = System.Text.Json.JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        var services = body.RootElement.GetProperty("services");
        Assert.Equal("connected", services.GetProperty("database").GetString());
        Assert.Equal("accessible", services.GetProperty("storage").GetString());
        Assert.Equal("not_configured", services.GetProperty("mta").GetString());
        Assert.Equal("running", services.GetProperty("certificates").GetString());
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        var document = await openApi.Content.ReadAsStringAsync();
        Assert.Contains("/s2s/v1/vaultboxes/{id}/smtp-credentials/regenerate", document);
        Assert.Contains("/s2s/v1/p12", document);
    }

    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }
}

using System.Net;

namespace Encimap.Api.Tests;

/// <summary>Bad input gets a clear error in the envelope and changes nothing.</summary>
[Collection(ApiFleetCollection.Name)]
public sealed class ValidationTests(ApiFixture fleet)
{
    [Theory]
    [InlineData("{\"domain\": ", "invalid_json")]
    [InlineData("not json at all", "invalid_json")]
    [InlineData("{\"domain\": 5, \"alias\": \"a\"}", "invalid_json")]
    [InlineData("{\"domain\": \"x.example\", \"alias\": [\"a\"]}", "invalid_json")]
    [InlineData("[]", "invalid_json")]
    [InlineData("null", "validation_error")]
    [InlineData("{}", "validation_error")]
    public async Task Malformed_bodies_are_400_and_create_nothing(string body, string code)
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);

        using var response = await http.PostRawAsync("/s2s/v1/vaultboxes", body);

        Assert.Equal(code, await response.ErrorCodeAsync(HttpStatusCode.BadRequest));
        await AssertNoVaultboxesAsync(http);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a@b")]
    [InlineData(".cat")]
    [InlineData("cat.")]
    [InlineData("c..at")]
    [InlineData("c at")]
    [InlineData("\"quoted\"")]
    [InlineData("caté")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 65 octets
    public async Task Invalid_aliases_are_refused(string alias)
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);

        using var response = await http.PostJsonAsync("/s2s/v1/vaultboxes", new { domain = tenant.Domain, alias });

        Assert.Equal("validation_error", await response.ErrorCodeAsync(HttpStatusCode.BadRequest));
        await AssertNoVaultboxesAsync(http);
    }

    [Fact]
    public async Task The_longest_valid_alias_and_rfc5321_specials_are_accepted()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);

        await http.CreateVaultboxAsync(tenant.Domain, new string('a', 64));
        await http.CreateVaultboxAsync(tenant.Domain, "first.last+tag!#$%&'*/=?^_`{|}~-");
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("-bad.example")]
    [InlineData("bad-.example")]
    [InlineData("under_score.example")]
    [InlineData("trailing.example.")]
    public async Task Invalid_domains_are_refused(string domain)
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);

        using var response = await http.PostJsonAsync("/s2s/v1/vaultboxes", new { domain, alias = "cat" });

        Assert.Equal("validation_error", await response.ErrorCodeAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Unknown_fields_are_tolerated()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);

        using var response = await http.PostRawAsync("/s2s/v1/vaultboxes",
            $"{{\"domain\":\"{tenant.Domain}\",\"alias\":\"cat\",\"color\":\"blue\",\"nested\":{{\"x\":[1,2]}}}}");

        await response.DataAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Unverified_and_foreign_domains_are_forbidden()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        var stranger = await Tenant.CreateAsync(fleet);
        var pending = await tenant.AddDomainAsync(fleet, "pending");
        using var http = fleet.ApiClientFor(tenant.UserId);

        using var unverified = await http.PostJsonAsync("/s2s/v1/vaultboxes", new { domain = pending, alias = "cat" });
        using var foreign = await http.PostJsonAsync("/s2s/v1/vaultboxes", new { domain = stranger.Domain, alias = "cat" });
        using var unknown = await http.PostJsonAsync("/s2s/v1/vaultboxes", new { domain = "nobody-owns-this.example", alias = "cat" });

        Assert.Equal("domain_not_verified", await unverified.ErrorCodeAsync(HttpStatusCode.Forbidden));
        Assert.Equal("domain_not_owned", await foreign.ErrorCodeAsync(HttpStatusCode.Forbidden));
        Assert.Equal("domain_not_owned", await unknown.ErrorCodeAsync(HttpStatusCode.Forbidden));
        await AssertNoVaultboxesAsync(http);
    }

    [Fact]
    public async Task A_body_user_id_that_is_not_the_callers_is_refused()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        var other = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);

        using var response = await http.PostJsonAsync("/s2s/v1/vaultboxes", new { user_id = other.UserId, domain = tenant.Domain, alias = "cat" });

        Assert.Equal("user_mismatch", await response.ErrorCodeAsync(HttpStatusCode.Forbidden));
        await AssertNoVaultboxesAsync(http);
    }

    [Fact]
    public async Task Wrong_content_type_and_oversized_bodies_are_refused()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);

        using var text = await http.PostRawAsync("/s2s/v1/vaultboxes", $"{{\"domain\":\"{tenant.Domain}\",\"alias\":\"cat\"}}", "text/plain");
        using var huge = await http.PostRawAsync("/s2s/v1/vaultboxes", $"{{\"domain\":\"{tenant.Domain}\",\"alias\":\"cat\",\"pad\":\"{new string('x', 200_000)}\"}}");

        Assert.Equal("unsupported_media_type", await text.ErrorCodeAsync(HttpStatusCode.UnsupportedMediaType));
        Assert.Equal("payload_too_large", await huge.ErrorCodeAsync(HttpStatusCode.RequestEntityTooLarge));
        await AssertNoVaultboxesAsync(http);
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_in_the_envelope()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);

        using var missing = await http.GetAsync("/s2s/v1/nothing-here");
        using var method = await http.PutAsync("/s2s/v1/vaultboxes", null);

        Assert.Equal("not_found", await missing.ErrorCodeAsync(HttpStatusCode.NotFound));
        Assert.Equal("method_not_allowed", await method.ErrorCodeAsync(HttpStatusCode.MethodNotAllowed));
    }

    private static async Task AssertNoVaultboxesAsync(HttpClient http)
    {
        using var list = await http.GetAsync("/s2s/v1/vaultboxes");
        Assert.Empty((await list.DataAsync()).EnumerateArray());
    }
}

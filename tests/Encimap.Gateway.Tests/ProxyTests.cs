using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Encimap.Testing;

namespace Encimap.Gateway.Tests;

/// <summary>
/// The whole chain with a user token: gateway → API → PostgreSQL (and the certificate service),
/// each a real process. Paths under <c>/api/encrypted-imap/</c> reach the API's <c>/s2s/v1/</c>
/// with their query strings, and responses come back unchanged.
/// </summary>
[Collection(GatewayFleetCollection.Name)]
public sealed class ProxyTests(GatewayFixture fleet) : IDisposable
{
    private const string P = GatewayCalls.Prefix;
    private const string Password = "correct horse battery";
    private readonly string _work = Directory.CreateTempSubdirectory("encimap-gateway-").FullName;

    [Fact]
    public async Task Smtp_credentials_are_created_read_regenerated_and_deleted_through_the_gateway()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.GatewayClientFor(tenant.UserId);
        var id = await http.CreateVaultboxAsync(tenant.Domain, "cat");
        var path = $"{P}/vaultboxes/{id}/smtp-credentials";

        using var created = await http.PostAsync(path, null);
        var first = await created.DataAsync(HttpStatusCode.Created);
        var username = first.GetProperty("username").GetString()!;
        var password = first.GetProperty("password").GetString()!;
        Assert.StartsWith($"encimap-{tenant.Domain.Replace('.', '-')}-", username);
        Assert.Equal(2587, first.GetProperty("port").GetInt32());
        Assert.Equal("STARTTLS", first.GetProperty("security_type").GetString());

        using var read = await http.GetAsync(path);
        var shown = await read.DataAsync();
        Assert.Equal(username, shown.GetProperty("username").GetString());
        Assert.False(shown.TryGetProperty("password", out _));

        using var regenerated = await http.PostAsync(path + "/regenerate", null);
        var renewed = await regenerated.DataAsync();
        Assert.Equal(username, renewed.GetProperty("username").GetString());
        Assert.NotEqual(password, renewed.GetProperty("password").GetString());

        using var deleted = await http.DeleteAsync(path);
        Assert.True((await deleted.DataAsync()).GetProperty("deleted").GetBoolean());
        using var gone = await http.GetAsync(path);
        Assert.Equal("not_found", await gone.ErrorCodeAsync(HttpStatusCode.NotFound));

        Assert.True(await fleet.ApiLoggedAsync($"DELETE {fleet.Http("api").AbsoluteUri.TrimEnd('/')}/s2s/v1/vaultboxes/{id}/smtp-credentials", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Another_users_token_finds_nothing_of_the_first_user()
    {
        var owner = await Tenant.CreateAsync(fleet);
        var intruder = await Tenant.CreateAsync(fleet);
        using var ownerHttp = fleet.GatewayClientFor(owner.UserId);
        using var intruderHttp = fleet.GatewayClientFor(intruder.UserId);
        var id = await ownerHttp.CreateVaultboxAsync(owner.Domain, "private");
        using (var credentials = await ownerHttp.PostAsync($"{P}/vaultboxes/{id}/smtp-credentials", null))
        {
            await credentials.DataAsync(HttpStatusCode.Created);
        }

        using var vaultbox = await intruderHttp.GetAsync($"{P}/vaultboxes/{id}");
        using var smtp = await intruderHttp.GetAsync($"{P}/vaultboxes/{id}/smtp-credentials");
        using var regenerate = await intruderHttp.PostAsync($"{P}/vaultboxes/{id}/smtp-credentials/regenerate", null);
        using var delete = await intruderHttp.DeleteAsync($"{P}/vaultboxes/{id}/smtp-credentials");
        using var p12 = await intruderHttp.PostJsonAsync($"{P}/p12", new { vaultbox_id = id, password = Password });
        using var list = await intruderHttp.GetAsync($"{P}/vaultboxes");

        foreach (var response in new[] { vaultbox, smtp, regenerate, delete, p12 })
        {
            Assert.Equal("not_found", await response.ErrorCodeAsync(HttpStatusCode.NotFound));
        }

        Assert.Equal(0, (await list.DataAsync()).GetArrayLength());
        using var still = await ownerHttp.GetAsync($"{P}/vaultboxes/{id}/smtp-credentials");
        await still.DataAsync();
    }

    [Fact]
    public async Task The_path_is_mapped_and_the_query_string_kept()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.GatewayClientFor(tenant.UserId);
        var marker = Guid.NewGuid().ToString("N");

        using var response = await http.GetAsync($"{P}/vaultboxes?marker={marker}&q=a%20b&x=%2F");

        await response.DataAsync();
        Assert.True(
            await fleet.ApiLoggedAsync($"/s2s/v1/vaultboxes?marker={marker}&q=a%20b&x=%2F", TimeSpan.FromSeconds(5)),
            fleet.ApiLog);
    }

    [Fact]
    public async Task A_large_list_and_the_usage_arrive_byte_for_byte_as_the_api_sends_them()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        await tenant.AddVaultboxesAsync(fleet, 3000);
        using var gateway = fleet.GatewayClientFor(tenant.UserId);
        using var api = fleet.ApiClient(fleet.S2sToken(tenant.UserId));

        foreach (var (viaGateway, direct) in new[] { ($"{P}/vaultboxes", "/s2s/v1/vaultboxes"), ($"{P}/usage", "/s2s/v1/usage") })
        {
            using var proxied = await gateway.GetAsync(viaGateway);
            using var original = await api.GetAsync(direct);
            var proxiedBytes = await proxied.Content.ReadAsByteArrayAsync();
            var originalBytes = await original.Content.ReadAsByteArrayAsync();

            Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
            Assert.Equal(original.Content.Headers.ContentType, proxied.Content.Headers.ContentType);
            Assert.True(originalBytes.Length > 300_000, $"{direct}: {originalBytes.Length} bytes");
            Assert.Equal(originalBytes, proxiedBytes);
        }
    }

    [Fact]
    public async Task A_p12_with_several_certificates_downloads_through_the_gateway_with_its_headers()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var gateway = fleet.GatewayClientFor(tenant.UserId);
        using var api = fleet.ApiClient(fleet.S2sToken(tenant.UserId));
        var id = await gateway.CreateVaultboxAsync(tenant.Domain, "keys");
        for (var i = 0; i < 3; i++)
        {
            using var reissued = await gateway.PostJsonAsync($"{P}/generate-certificate", new { email = $"keys@{tenant.Domain}", days = 30 + i });
            await reissued.DataAsync(HttpStatusCode.Created);
        }

        var body = new { vaultbox_id = id, password = Password, profile = "modern" };
        using var proxied = await gateway.PostJsonAsync($"{P}/p12", body);
        using var original = await api.PostJsonAsync("/s2s/v1/p12", body);
        var p12 = await proxied.Content.ReadAsByteArrayAsync();
        var direct = await original.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal("application/x-pkcs12", proxied.Content.Headers.ContentType?.MediaType);
        Assert.Equal(original.Content.Headers.ContentDisposition, proxied.Content.Headers.ContentDisposition);
        Assert.Equal($"keys@{tenant.Domain}.p12", proxied.Content.Headers.ContentDisposition?.FileNameStar ?? proxied.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(p12.Length, proxied.Content.Headers.ContentLength);
        // Each export is freshly encrypted (salts, IVs): same structure, not the same bytes.
        Assert.InRange(p12.Length, direct.Length - 64, direct.Length + 64);
        var file = Path.Combine(_work, "keys.p12");
        await File.WriteAllBytesAsync(file, p12);
        var info = await Openssl.SucceedAsync("pkcs12", "-in", file, "-info", "-nodes", "-passin", $"pass:{Password}");
        Assert.Equal(4, CountOf(info.Text, "BEGIN CERTIFICATE"));
        Assert.Equal(4, CountOf(info.Text, "BEGIN PRIVATE KEY"));
        Assert.Contains("AES-256-CBC", info.Error);
    }

    [Fact]
    public async Task The_bundle_downloads_through_the_gateway_with_the_same_entries()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var gateway = fleet.GatewayClientFor(tenant.UserId);
        using var api = fleet.ApiClient(fleet.S2sToken(tenant.UserId));
        var id = await gateway.CreateVaultboxAsync(tenant.Domain, "bundle");
        var body = new { vaultbox_id = id, password = Password };

        using var proxied = await gateway.PostJsonAsync($"{P}/bundle", body);
        using var original = await api.PostJsonAsync("/s2s/v1/bundle", body);
        var zipBytes = await proxied.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal("application/zip", proxied.Content.Headers.ContentType?.MediaType);
        Assert.Equal(original.Content.Headers.ContentDisposition, proxied.Content.Headers.ContentDisposition);
        Assert.Equal(zipBytes.Length, proxied.Content.Headers.ContentLength);
        using var viaGateway = new ZipArchive(new MemoryStream(zipBytes));
        using var direct = new ZipArchive(new MemoryStream(await original.Content.ReadAsByteArrayAsync()));
        Assert.Equal(["README.txt", "certificate.p12", "certificate.pem"], viaGateway.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        Assert.Equal(await ReadAsync(direct, "README.txt"), await ReadAsync(viaGateway, "README.txt"));
        Assert.Equal(await ReadAsync(direct, "certificate.pem"), await ReadAsync(viaGateway, "certificate.pem"));
        var p12 = Path.Combine(_work, "bundle.p12");
        await File.WriteAllBytesAsync(p12, await ReadAsync(viaGateway, "certificate.p12"));
        await Openssl.SucceedAsync("pkcs12", "-in", p12, "-info", "-nodes", "-passin", $"pass:{Password}");
    }

    [Fact]
    public async Task The_apis_own_errors_pass_through_unchanged()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var gateway = fleet.GatewayClientFor(tenant.UserId);

        using var invalid = await gateway.PostAsync($"{P}/vaultboxes", new StringContent("{not json", Encoding.UTF8, "application/json"));
        using var missing = await gateway.GetAsync($"{P}/vaultboxes/{Guid.NewGuid()}");
        using var notOwned = await gateway.PostAsJsonAsync($"{P}/vaultboxes", new { domain = "not-mine.example", alias = "x" });

        Assert.Equal("invalid_json", await invalid.ErrorCodeAsync(HttpStatusCode.BadRequest));
        Assert.Equal("not_found", await missing.ErrorCodeAsync(HttpStatusCode.NotFound));
        Assert.Equal("domain_not_owned", await notOwned.ErrorCodeAsync(HttpStatusCode.Forbidden));
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static async Task<byte[]> ReadAsync(ZipArchive zip, string name)
    {
        await using var entry = zip.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        await entry.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static int CountOf(string text, string fragment) =>
        (text.Length - text.Replace(fragment, "", StringComparison.Ordinal).Length) / fragment.Length;
}

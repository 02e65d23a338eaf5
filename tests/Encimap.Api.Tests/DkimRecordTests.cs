using System.Net;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Encimap.Api.Tests;

/// <summary><c>GET /s2s/v1/domains/{domain}/dkim</c>: the record to publish, for the caller's own domains only.</summary>
[Collection(ApiFleetCollection.Name)]
public sealed class DkimRecordTests(ApiFixture fleet)
{
    [Fact]
    public async Task The_owner_gets_the_selector_and_the_TXT_record_of_one_lasting_key()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);

        using var first = await http.GetAsync($"/s2s/v1/domains/{tenant.Domain}/dkim");
        var data = await first.DataAsync();
        var selector = data.GetProperty("selector").GetString()!;
        Assert.Equal(tenant.Domain, data.GetProperty("domain").GetString());
        Assert.Matches("^encimap-[0-9]{6}$", selector);
        Assert.Equal("rsa-sha256", data.GetProperty("algorithm").GetString());
        var dns = data.GetProperty("dns");
        Assert.Equal($"{selector}._domainkey.{tenant.Domain}", dns.GetProperty("name").GetString());
        Assert.Equal("TXT", dns.GetProperty("type").GetString());
        var value = dns.GetProperty("value").GetString()!;
        var publicKey = data.GetProperty("public_key").GetString()!;
        Assert.Equal($"v=DKIM1; k=rsa; p={publicKey}", value);
        var strings = dns.GetProperty("strings").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.Equal(value, string.Concat(strings));
        Assert.All(strings, s => Assert.InRange(s.Length, 1, 255));
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey), out _);
        Assert.Equal(2048, rsa.KeySize);

        // The same key on every later call, whatever the case of the domain in the path.
        using var again = await http.GetAsync($"/s2s/v1/domains/{tenant.Domain.ToUpperInvariant()}/dkim");
        Assert.Equal(value, (await again.DataAsync()).GetProperty("dns").GetProperty("value").GetString());
    }

    [Fact]
    public async Task Another_users_domain_and_unknown_domains_answer_404_and_make_no_key()
    {
        var owner = await Tenant.CreateAsync(fleet);
        var intruder = await Tenant.CreateAsync(fleet);
        using var theirs = fleet.ApiClientFor(intruder.UserId);

        using var foreign = await theirs.GetAsync($"/s2s/v1/domains/{owner.Domain}/dkim");
        Assert.Equal("not_found", await foreign.ErrorCodeAsync(HttpStatusCode.NotFound));
        using var unknown = await theirs.GetAsync($"/s2s/v1/domains/nobody-{Guid.NewGuid():N}.example/dkim");
        Assert.Equal("not_found", await unknown.ErrorCodeAsync(HttpStatusCode.NotFound));
        Assert.Equal(0L, await fleet.ScalarAsync<long>("SELECT count(*) FROM dkim_keys WHERE domain = $1", owner.Domain));

        var unverified = await intruder.AddDomainAsync(fleet, "pending");
        using var pending = await theirs.GetAsync($"/s2s/v1/domains/{unverified}/dkim");
        Assert.Equal("domain_not_verified", await pending.ErrorCodeAsync(HttpStatusCode.Forbidden));
        using var malformed = await theirs.GetAsync("/s2s/v1/domains/not_a_domain/dkim");
        Assert.Equal("validation_error", await malformed.ErrorCodeAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task The_stored_key_row_holds_no_clear_private_key()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        using var response = await http.GetAsync($"/s2s/v1/domains/{tenant.Domain}/dkim");
        await response.DataAsync();

        await using var connection = new NpgsqlConnection(fleet.EncimapOwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT ciphertext, row_to_json(k)::text, kek_id FROM dkim_keys k WHERE domain = $1", connection);
        command.Parameters.AddWithValue(tenant.Domain);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var ciphertext = reader.GetFieldValue<byte[]>(0);
        var row = reader.GetString(1);
        Assert.NotEmpty(reader.GetString(2));
        Assert.False(await reader.ReadAsync());

        Assert.DoesNotContain("PRIVATE KEY", row, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", Encoding.Latin1.GetString(ciphertext), StringComparison.Ordinal);
        using var rsa = RSA.Create();
        Assert.ThrowsAny<CryptographicException>(() => rsa.ImportPkcs8PrivateKey(ciphertext, out _));
        Assert.ThrowsAny<CryptographicException>(() => rsa.ImportRSAPrivateKey(ciphertext, out _));
        Assert.ThrowsAny<ArgumentException>(() => rsa.ImportFromPem(Encoding.Latin1.GetString(ciphertext)));
    }
}

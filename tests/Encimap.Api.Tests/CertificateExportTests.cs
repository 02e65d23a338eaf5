using System.IO.Compression;
using System.Net;
using System.Text;
using Encimap.Testing;

namespace Encimap.Api.Tests;

/// <summary>
/// The P12 and bundle downloads, checked with OpenSSL 3: both profiles open without
/// <c>-legacy</c>, the certificate has SPEC.md's fields, and mail encrypted to it decrypts with
/// the downloaded key.
/// </summary>
[Collection(ApiFleetCollection.Name)]
public sealed class CertificateExportTests(ApiFixture fleet) : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly string _work = Directory.CreateTempSubdirectory("encimap-p12-").FullName;

    [Theory]
    [InlineData("compatible", "pbeWithSHA1And3-KeyTripleDES-CBC", "MAC: sha1")]
    [InlineData(null, "pbeWithSHA1And3-KeyTripleDES-CBC", "MAC: sha1")]
    [InlineData("modern", "AES-256-CBC", "MAC: sha256")]
    public async Task Both_p12_profiles_open_with_openssl_3_without_legacy(string? profile, string cipher, string mac)
    {
        var (http, id, domain) = await VaultboxAsync("p12");
        var p12 = await DownloadAsync(http, "/s2s/v1/p12", new { vaultbox_id = id, password = Password, profile }, "application/x-pkcs12");

        var info = await Openssl.SucceedAsync("pkcs12", "-in", p12, "-info", "-nodes", "-passin", $"pass:{Password}");
        var wrong = await Openssl.RunAsync("pkcs12", "-in", p12, "-info", "-nodes", "-passin", "pass:wrong password");

        Assert.Contains(cipher, info.Error);
        Assert.Contains(mac, info.Error);
        Assert.Contains("BEGIN PRIVATE KEY", info.Text);
        Assert.Contains($"friendlyName: p12@{domain}", info.Text);
        Assert.NotEqual(0, wrong.ExitCode);
    }

    [Fact]
    public async Task The_certificate_carries_the_smime_fields_of_the_spec()
    {
        var (http, id, domain) = await VaultboxAsync("cert");
        var p12 = await DownloadAsync(http, "/s2s/v1/p12", new { vaultbox_id = id, password = Password }, "application/x-pkcs12");
        var certificate = await ExtractAsync(p12, "-nokeys", "cert.pem");

        var text = (await Openssl.SucceedAsync("x509", "-in", certificate, "-noout", "-text")).Text;

        Assert.Contains($"CN = cert@{domain}", text);
        Assert.Contains($"emailAddress = cert@{domain}", text);
        Assert.Contains($"email:cert@{domain}", text);
        Assert.Contains("X509v3 Key Usage: critical", text);
        Assert.Contains("Digital Signature, Key Encipherment", text);
        Assert.Contains("E-mail Protection", text);
        Assert.Contains("CA:FALSE", text);
        Assert.Contains("Public-Key: (2048 bit)", text);
    }

    [Fact]
    public async Task Mail_encrypted_to_the_certificate_decrypts_with_the_downloaded_key()
    {
        var (http, id, _) = await VaultboxAsync("decrypt");
        var p12 = await DownloadAsync(http, "/s2s/v1/p12", new { vaultbox_id = id, password = Password, profile = "modern" }, "application/x-pkcs12");
        var certificate = await ExtractAsync(p12, "-nokeys", "cert.pem");
        var key = await ExtractAsync(p12, "-nocerts", "key.pem");
        var message = Path.Combine(_work, "message.eml");
        await File.WriteAllTextAsync(message, "From: a@b.example\r\nSubject: héllo\r\n\r\nsecret body\r\n");
        var encrypted = Path.Combine(_work, "message.p7m");
        var decrypted = Path.Combine(_work, "message.out");

        await Openssl.SucceedAsync("cms", "-encrypt", "-binary", "-aes256", "-in", message, "-out", encrypted, certificate);
        await Openssl.SucceedAsync("cms", "-decrypt", "-binary", "-in", encrypted, "-inkey", key, "-recip", certificate, "-out", decrypted);

        Assert.Equal(await File.ReadAllBytesAsync(message), await File.ReadAllBytesAsync(decrypted));
    }

    [Fact]
    public async Task The_bundle_holds_the_p12_the_pem_and_install_notes()
    {
        var (http, id, domain) = await VaultboxAsync("bundle");
        var zipPath = await DownloadAsync(http, "/s2s/v1/bundle", new { vaultbox_id = id, password = Password }, "application/zip");

        using var zip = ZipFile.OpenRead(zipPath);
        Assert.Equal(["README.txt", "certificate.p12", "certificate.pem"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        var readme = await ReadEntryAsync(zip, "README.txt");
        foreach (var expected in new[] { "Thunderbird", "Apple Mail", "Outlook", $"bundle@{domain}" })
        {
            Assert.Contains(expected, readme);
        }

        Assert.Contains("lose", readme, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", await ReadEntryAsync(zip, "certificate.pem"));
        var p12 = Path.Combine(_work, "from-bundle.p12");
        zip.GetEntry("certificate.p12")!.ExtractToFile(p12);
        await Openssl.SucceedAsync("pkcs12", "-in", p12, "-info", "-nodes", "-passin", $"pass:{Password}");
    }

    [Fact]
    public async Task A_reissued_certificate_joins_the_first_in_the_p12()
    {
        var (http, id, domain) = await VaultboxAsync("rotate");

        using var reissued = await http.PostJsonAsync("/s2s/v1/generate-certificate", new { email = $"ROTATE@{domain}", days = 30 });
        var certificate = await reissued.DataAsync(HttpStatusCode.Created);
        Assert.Matches("^[0-9a-f]{64}$", certificate.GetProperty("fingerprint_sha256").GetString()!);
        var notAfter = certificate.GetProperty("not_after").GetDateTimeOffset();
        Assert.InRange(notAfter, DateTimeOffset.UtcNow.AddDays(29), DateTimeOffset.UtcNow.AddDays(31));

        var p12 = await DownloadAsync(http, "/s2s/v1/p12", new { vaultbox_id = id, password = Password }, "application/x-pkcs12");
        var info = await Openssl.SucceedAsync("pkcs12", "-in", p12, "-info", "-nodes", "-passin", $"pass:{Password}");
        Assert.Equal(2, CountOf(info.Text, "BEGIN CERTIFICATE"));
        Assert.Equal(2, CountOf(info.Text, "BEGIN PRIVATE KEY"));
    }

    [Theory]
    [InlineData("short", null, "weak_password")]
    [InlineData(null, null, "weak_password")]
    [InlineData("long enough password", "ancient", "validation_error")]
    public async Task Weak_passwords_and_unknown_profiles_are_refused(string? password, string? profile, string code)
    {
        var (http, id, _) = await VaultboxAsync("refuse");

        using var response = await http.PostJsonAsync("/s2s/v1/p12", new { vaultbox_id = id, password, profile });

        Assert.Equal(code, await response.ErrorCodeAsync(HttpStatusCode.BadRequest));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5000)]
    public async Task Certificate_validity_out_of_range_is_refused(int days)
    {
        var (http, _, domain) = await VaultboxAsync("days");

        using var response = await http.PostJsonAsync("/s2s/v1/generate-certificate", new { email = $"days@{domain}", days });

        Assert.Equal("validation_error", await response.ErrorCodeAsync(HttpStatusCode.BadRequest));
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private async Task<(HttpClient Http, Guid Id, string Domain)> VaultboxAsync(string alias)
    {
        var tenant = await Tenant.CreateAsync(fleet);
        var http = fleet.ApiClientFor(tenant.UserId);
        return (http, await http.CreateVaultboxAsync(tenant.Domain, alias), tenant.Domain);
    }

    private async Task<string> DownloadAsync(HttpClient http, string path, object body, string contentType)
    {
        using var response = await http.PostJsonAsync(path, body);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, Encoding.UTF8.GetString(bytes));
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var file = Path.Combine(_work, Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, bytes);
        return file;
    }

    private async Task<string> ExtractAsync(string p12, string what, string name)
    {
        var output = Path.Combine(_work, name);
        await Openssl.SucceedAsync("pkcs12", "-in", p12, what, "-nodes", "-passin", $"pass:{Password}", "-out", output);
        return output;
    }

    private static async Task<string> ReadEntryAsync(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return await reader.ReadToEndAsync();
    }

    private static int CountOf(string text, string fragment) =>
        (text.Length - text.Replace(fragment, "", StringComparison.Ordinal).Length) / fragment.Length;
}

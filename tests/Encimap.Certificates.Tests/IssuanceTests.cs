using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Encimap.Certificates.Tests.Infrastructure;
using Encimap.Contracts.Certificates;
using Grpc.Core;

namespace Encimap.Certificates.Tests;

public sealed class IssuanceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Issued_certificate_has_the_SMIME_profile_according_to_openssl()
    {
        var issued = await fixture.Server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = "cat@call.example" });

        using var openssl = new OpenSsl();
        var path = openssl.Write("cert.der", issued.CertificateDer.ToByteArray());
        var text = (await openssl.RunOkAsync("x509", "-inform", "DER", "-in", path, "-noout", "-text", "-nameopt", "RFC2253")).StandardOutput;
        var oneline = (await openssl.RunOkAsync("x509", "-inform", "DER", "-in", path, "-noout", "-subject", "-issuer", "-nameopt", "oneline")).StandardOutput;

        Assert.Contains("subject=CN = cat@call.example, emailAddress = cat@call.example", oneline);
        Assert.Contains("issuer=CN = cat@call.example, emailAddress = cat@call.example", oneline);
        Assert.Contains("Public-Key: (2048 bit)", text);
        Assert.Contains("rsaEncryption", text);
        Assert.Contains("Signature Algorithm: sha256WithRSAEncryption", text);
        Assert.Matches(@"X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment\s", text);
        Assert.Matches(@"X509v3 Extended Key Usage:\s+E-mail Protection\s", text);
        Assert.Matches(@"X509v3 Basic Constraints: critical\s+CA:FALSE\s", text);
        Assert.Matches(@"X509v3 Subject Alternative Name:\s+email:cat@call\.example\s", text);
        Assert.Contains("X509v3 Subject Key Identifier:", text);
        Assert.Contains("X509v3 Authority Key Identifier:", text);

        // Self-signed and internally consistent.
        var pem = openssl.PathOf("cert.pem");
        await openssl.RunOkAsync("x509", "-inform", "DER", "-in", path, "-out", pem);
        await openssl.RunOkAsync("verify", "-CAfile", pem, "-purpose", "smimeencrypt", pem);
    }

    [Fact]
    public async Task Reply_metadata_matches_the_certificate()
    {
        var before = DateTimeOffset.UtcNow;
        var issued = await fixture.Server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = "fox@call.example" });
        using var certificate = X509CertificateLoader.LoadCertificate(issued.CertificateDer.Span);

        Assert.Equal(certificate.SerialNumber.ToLowerInvariant(), issued.SerialNumber);
        Assert.Matches("^[0-9a-f]{32}$", issued.SerialNumber);
        Assert.Contains(issued.SerialNumber[0], "4567");   // positive, no leading zero byte: 126 random bits
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(issued.CertificateDer.Span)), issued.ThumbprintSha256);
        Assert.Equal(certificate.NotBefore.ToUniversalTime(), issued.NotBefore.ToDateTime());
        Assert.Equal(certificate.NotAfter.ToUniversalTime(), issued.NotAfter.ToDateTime());
        var notBefore = issued.NotBefore.ToDateTimeOffset();
        Assert.InRange(notBefore, before.AddMinutes(-6), before.AddMinutes(-4));
        Assert.InRange((issued.NotAfter.ToDateTimeOffset() - notBefore).TotalDays, 365, 365.01);

        Assert.Equal("A256GCM", issued.PrivateKey.Algorithm);
        Assert.Equal(fixture.Server.Services.GetService(typeof(PrivateKeyCustody)) is PrivateKeyCustody custody ? custody.CurrentKekId : null, issued.PrivateKey.KekId);
        Assert.Equal(12, issued.PrivateKey.Nonce.Length);
        Assert.Equal(16, issued.PrivateKey.Tag.Length);
        Assert.True(issued.PrivateKey.Ciphertext.Length > 1000);
    }

    [Fact]
    public async Task Requested_validity_and_key_size_are_honoured()
    {
        var issued = await fixture.Server.Client.IssueCertificateAsync(
            new IssueCertificateRequest { Email = "bob@shop.example", ValidityDays = 30, KeySizeBits = 3072 });
        using var certificate = X509CertificateLoader.LoadCertificate(issued.CertificateDer.Span);
        using var rsa = certificate.GetRSAPublicKey()!;
        Assert.Equal(3072, rsa.KeySize);
        Assert.InRange((certificate.NotAfter - certificate.NotBefore).TotalDays, 30, 30.01);
    }

    [Theory]
    [InlineData("", 0, 0)]
    [InlineData("Cat@call.example", 0, 0)]
    [InlineData("cat@Call.Example", 0, 0)]
    [InlineData("cat", 0, 0)]
    [InlineData("cat@@call.example", 0, 0)]
    [InlineData("a@b@call.example", 0, 0)]
    [InlineData("@call.example", 0, 0)]
    [InlineData(".cat@call.example", 0, 0)]
    [InlineData("c..at@call.example", 0, 0)]
    [InlineData("cat@localhost", 0, 0)]
    [InlineData("cat@-call.example", 0, 0)]
    [InlineData("cat@call..example", 0, 0)]
    [InlineData("cat@call example.com", 0, 0)]
    [InlineData("cät@call.example", 0, 0)]
    [InlineData("cat@call.example", 3651, 0)]
    [InlineData("cat@call.example", -1, 0)]
    [InlineData("cat@call.example", 0, 1024)]
    [InlineData("cat@call.example", 0, 2500)]
    [InlineData("cat@call.example", 0, 9216)]
    public async Task Bad_requests_are_invalid_arguments(string email, int days, int bits)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Client.IssueCertificateAsync(
            new IssueCertificateRequest { Email = email, ValidityDays = days, KeySizeBits = bits }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task Long_local_part_is_refused_at_65_characters()
    {
        var ok = new string('a', 64) + "@call.example";
        await fixture.Server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = ok });
        var e = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Client.IssueCertificateAsync(
            new IssueCertificateRequest { Email = "a" + ok }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task Health_endpoint_reports_the_database()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.HttpAddress };
        var response = await http.GetAsync("/health");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        // Aspire.Npgsql's check of the keyed "encimap" data source.
        using var report = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal("Healthy", report.RootElement.GetProperty("checks").GetProperty("PostgreSql_encimap").GetProperty("status").GetString());
    }
}

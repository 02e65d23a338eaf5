using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Encimap.Certificates.Tests.Infrastructure;
using Encimap.Contracts.Certificates;
using Grpc.Core;

namespace Encimap.Certificates.Tests;

public sealed class ExportTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const string Password = "correct horse battery";

    private async Task<(Guid VaultboxId, string Address, IssuedCertificate Issued)> CreateWithCertificateAsync()
    {
        var (id, address) = await TestData.CreateVaultboxAsync(fixture.Databases);
        var issued = await fixture.Server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = address });
        await TestData.StoreAsync(fixture.Databases, id, issued);
        return (id, address, issued);
    }

    private Task<ExportPkcs12Reply> ExportAsync(Guid vaultboxId, Pkcs12Profile profile, string password = Password) =>
        fixture.Server.Client.ExportPkcs12Async(new ExportRequest { VaultboxId = vaultboxId.ToString(), Password = password, Profile = profile }).ResponseAsync;

    [Fact]
    public async Task Compatible_profile_is_3DES_with_SHA1_MAC_and_reads_without_legacy()
    {
        var (id, address, issued) = await CreateWithCertificateAsync();
        var reply = await ExportAsync(id, Pkcs12Profile.Compatible);

        using var openssl = new OpenSsl();
        var p12 = openssl.Write("c.p12", reply.Pkcs12.ToByteArray());
        var info = (await openssl.RunOkAsync("pkcs12", "-info", "-nodes", "-in", p12, "-passin", "pass:" + Password)).Output;

        Assert.Contains("MAC: sha1, Iteration 2048", info);
        Assert.Contains("PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048", info);
        Assert.Contains("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048", info);
        AssertBags(info, address, 1);
        Assert.Contains(PemOf(issued), Normalize(info));
    }

    [Fact]
    public async Task Modern_profile_is_AES256_PBES2_with_SHA256_MAC()
    {
        var (id, address, issued) = await CreateWithCertificateAsync();
        var reply = await ExportAsync(id, Pkcs12Profile.Modern);

        using var openssl = new OpenSsl();
        var p12 = openssl.Write("m.p12", reply.Pkcs12.ToByteArray());
        var info = (await openssl.RunOkAsync("pkcs12", "-info", "-nodes", "-in", p12, "-passin", "pass:" + Password)).Output;

        Assert.Contains($"MAC: sha256, Iteration {Pkcs12Exporter.ModernIterations}", info);
        Assert.Contains($"PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration {Pkcs12Exporter.ModernIterations}, PRF hmacWithSHA256", info);
        Assert.Contains($"Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration {Pkcs12Exporter.ModernIterations}, PRF hmacWithSHA256", info);
        Assert.DoesNotContain("TripleDES", info);
        Assert.DoesNotContain("sha1", info, StringComparison.OrdinalIgnoreCase);
        AssertBags(info, address, 1);
        Assert.Contains(PemOf(issued), Normalize(info));

        // .NET's own loader (with its iteration limits) imports it too, key and all.
        using var loaded = X509CertificateLoader.LoadPkcs12(reply.Pkcs12.Span, Password);
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(issued.ThumbprintSha256, Convert.ToHexStringLower(SHA256.HashData(loaded.RawData)));
    }

    [Theory]
    [InlineData(Pkcs12Profile.Compatible)]
    [InlineData(Pkcs12Profile.Modern)]
    public async Task Wrong_password_fails_in_openssl(Pkcs12Profile profile)
    {
        var (id, _, _) = await CreateWithCertificateAsync();
        var reply = await ExportAsync(id, profile);
        using var openssl = new OpenSsl();
        var p12 = openssl.Write("x.p12", reply.Pkcs12.ToByteArray());
        var result = await openssl.RunAsync("pkcs12", "-info", "-nodes", "-in", p12, "-passin", "pass:wrong password");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Mac verify error", result.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(Pkcs12Profile.Compatible)]
    [InlineData(Pkcs12Profile.Modern)]
    public async Task Message_encrypted_to_the_certificate_decrypts_with_the_exported_key(Pkcs12Profile profile)
    {
        var (id, _, issued) = await CreateWithCertificateAsync();
        var reply = await ExportAsync(id, profile);

        using var openssl = new OpenSsl();
        var message = Encoding.UTF8.GetBytes("From: a@b.example\r\nTo: x@call.example\r\nSubject: hej\r\n\r\nBody with ünïcode and\r\nlines.\r\n");
        var msg = openssl.Write("msg.eml", message);
        var certPem = openssl.PathOf("cert.pem");
        await File.WriteAllTextAsync(certPem, PemOf(issued));
        var p12 = openssl.Write("k.p12", reply.Pkcs12.ToByteArray());
        await openssl.RunOkAsync("cms", "-encrypt", "-aes256", "-binary", "-in", msg, "-out", "enc.smime", certPem);
        await openssl.RunOkAsync("pkcs12", "-in", p12, "-nocerts", "-nodes", "-passin", "pass:" + Password, "-out", "key.pem");
        await openssl.RunOkAsync("cms", "-decrypt", "-binary", "-in", "enc.smime", "-recip", certPem, "-inkey", "key.pem", "-out", "dec.eml");

        Assert.Equal(message, await File.ReadAllBytesAsync(openssl.PathOf("dec.eml")));
    }

    [Fact]
    public async Task During_a_rotation_every_active_certificate_is_exported_and_looked_up_newest_first()
    {
        var (id, address) = await TestData.CreateVaultboxAsync(fixture.Databases);
        var older = await fixture.Server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = address, ValidityDays = 20 });
        var newer = await fixture.Server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = address, ValidityDays = 365 });
        var revoked = await fixture.Server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = address, ValidityDays = 400 });
        var olderId = await TestData.StoreAsync(fixture.Databases, id, older);
        var newerId = await TestData.StoreAsync(fixture.Databases, id, newer);
        var revokedId = await TestData.StoreAsync(fixture.Databases, id, revoked);
        await TestData.ScalarAsync<object>(fixture.Databases.EncimapOwner, "UPDATE vaultbox_certs SET status = 'revoked' WHERE id = @id", ("id", revokedId));

        var recipients = await fixture.Server.Client.GetRecipientCertificatesAsync(new GetRecipientCertificatesRequest { VaultboxId = id.ToString() });
        Assert.Equal([newerId.ToString(), olderId.ToString()], recipients.Certificates.Select(c => c.CertificateId));
        Assert.Equal(newer.CertificateDer, recipients.Certificates[0].CertificateDer);
        Assert.Equal(newer.NotAfter, recipients.Certificates[0].NotAfter);

        var reply = await ExportAsync(id, Pkcs12Profile.Modern);
        using var openssl = new OpenSsl();
        var p12 = openssl.Write("r.p12", reply.Pkcs12.ToByteArray());
        var info = (await openssl.RunOkAsync("pkcs12", "-info", "-nodes", "-in", p12, "-passin", "pass:" + Password)).Output;
        AssertBags(info, address, 2);
        var text = Normalize(info);
        Assert.Contains(PemOf(newer), text);
        Assert.Contains(PemOf(older), text);
        Assert.DoesNotContain(PemOf(revoked), text);
        Assert.True(text.IndexOf(PemOf(newer), StringComparison.Ordinal) < text.IndexOf(PemOf(older), StringComparison.Ordinal), "newest first");
    }

    [Fact]
    public async Task Bundle_holds_the_p12_the_pem_and_the_notes()
    {
        var (id, address, issued) = await CreateWithCertificateAsync();
        var reply = await fixture.Server.Client.ExportBundleAsync(new ExportRequest { VaultboxId = id.ToString(), Password = Password });

        using var zip = new ZipArchive(new MemoryStream(reply.Zip.ToByteArray()), ZipArchiveMode.Read);
        Assert.Equal(["README.txt", "certificate.p12", "certificate.pem"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));

        var p12 = Read(zip, "certificate.p12");
        using (var loaded = X509CertificateLoader.LoadPkcs12(p12, Password))
        {
            Assert.True(loaded.HasPrivateKey);
            Assert.Equal(issued.CertificateDer.ToByteArray(), loaded.RawData);
        }

        var pem = Encoding.ASCII.GetString(Read(zip, "certificate.pem"));
        var fromPem = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(
            pem.Replace("-----BEGIN CERTIFICATE-----", "").Replace("-----END CERTIFICATE-----", "").Trim()));
        Assert.Equal(issued.CertificateDer.ToByteArray(), fromPem.RawData);
        Assert.DoesNotContain("PRIVATE KEY", pem);
        using (var openssl = new OpenSsl())
        {
            var path = openssl.Write("b.pem", Encoding.ASCII.GetBytes(pem));
            var subject = (await openssl.RunOkAsync("x509", "-in", path, "-noout", "-email")).StandardOutput;
            Assert.Contains(address, subject);
        }

        var readme = Encoding.UTF8.GetString(Read(zip, "README.txt"));
        Assert.Contains(address, readme);
        Assert.Contains("Thunderbird", readme);
        Assert.Contains("Manage Certificates", readme);
        Assert.Contains("End-To-End Encryption", readme);
        Assert.Contains("Apple Mail", readme);
        Assert.Contains("Keychain Access", readme);
        Assert.Contains("Profile Downloaded", readme);
        Assert.Contains("Outlook", readme);
        Assert.Contains("Certificate Import Wizard", readme);
        Assert.Contains("Current User", readme);
        Assert.Contains("lose access to every stored message", readme);
        Assert.Contains("backup", readme, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"{issued.NotAfter.ToDateTime():yyyy-MM-dd HH:mm} UTC", readme);
        Assert.DoesNotContain(Password, readme);
    }

    [Fact]
    public async Task Short_password_is_an_invalid_argument()
    {
        var (id, _, _) = await CreateWithCertificateAsync();
        var e = await Assert.ThrowsAsync<RpcException>(() => ExportAsync(id, Pkcs12Profile.Compatible, "1234567"));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        e = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Client.ExportBundleAsync(
            new ExportRequest { VaultboxId = id.ToString(), Password = "" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task Unknown_vaultbox_or_one_without_certificate_is_not_found()
    {
        var unknown = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<RpcException>(() => ExportAsync(unknown, Pkcs12Profile.Compatible));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        e = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Client.ExportBundleAsync(
            new ExportRequest { VaultboxId = unknown.ToString(), Password = Password }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        e = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Client.GetRecipientCertificatesAsync(
            new GetRecipientCertificatesRequest { VaultboxId = unknown.ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);

        var (empty, _) = await TestData.CreateVaultboxAsync(fixture.Databases);
        e = await Assert.ThrowsAsync<RpcException>(() => ExportAsync(empty, Pkcs12Profile.Modern));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);

        e = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Client.ExportPkcs12Async(
            new ExportRequest { VaultboxId = "not-a-uuid", Password = Password }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private static void AssertBags(string info, string address, int count)
    {
        Assert.Equal(count, Count(info, "Shrouded Keybag:"));
        Assert.Equal(count, Count(info, "Certificate bag"));
        Assert.Equal(2 * count, Count(info, $"friendlyName: {address}"));
        Assert.Equal(2 * count, Count(info, "localKeyID:"));
        Assert.Equal(count, Count(info, "-----BEGIN PRIVATE KEY-----"));
    }

    private static int Count(string text, string needle)
    {
        var count = 0;
        for (var i = text.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    internal static string PemOf(IssuedCertificate issued) =>
        PemEncoding.WriteString("CERTIFICATE", issued.CertificateDer.Span) + "\n";

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static byte[] Read(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}

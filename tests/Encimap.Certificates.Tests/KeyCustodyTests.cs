using System.Security.Cryptography;
using System.Text;
using Encimap.Certificates.Tests.Infrastructure;
using Encimap.Contracts.Certificates;
using Grpc.Core;
using Encimap.Storage;
using Encimap.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Encimap.Certificates.Tests;

public sealed class KeyCustodyTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Private_key_appears_in_no_column_of_any_table()
    {
        var (id, address) = await TestData.CreateVaultboxAsync(fixture.Databases);
        var issued = await fixture.Server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = address });
        await TestData.StoreAsync(fixture.Databases, id, issued);
        // An export in between must not leave anything behind either.
        await fixture.Server.Client.ExportBundleAsync(new ExportRequest { VaultboxId = id.ToString(), Password = "long enough" });

        var custody = fixture.Server.Services.GetRequiredService<PrivateKeyCustody>();
        var pkcs8 = custody.Unwrap(issued.PrivateKey, issued.ThumbprintSha256);
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        var pkcs1 = rsa.ExportRSAPrivateKey();
        var privateExponent = rsa.ExportParameters(includePrivateParameters: true).D!;
        var base64 = Convert.ToBase64String(pkcs8);
        var pemBody = string.Join("\n", PemEncoding.WriteString("PRIVATE KEY", pkcs8).Split('\n')[1..^1]);
        var needles = new Dictionary<string, string>
        {
            ["PKCS#8 DER (hex)"] = Convert.ToHexStringLower(pkcs8),
            ["PKCS#1 DER (hex)"] = Convert.ToHexStringLower(pkcs1),
            ["private exponent (hex)"] = Convert.ToHexStringLower(privateExponent),
            ["PKCS#8 base64"] = base64,
            ["PKCS#8 base64 (hex of its ASCII)"] = Convert.ToHexStringLower(Encoding.ASCII.GetBytes(base64)),
            ["PEM body"] = pemBody,
            ["PEM body first line"] = pemBody.Split('\n')[0],
            ["PEM body first line (hex of its ASCII)"] = Convert.ToHexStringLower(Encoding.ASCII.GetBytes(pemBody.Split('\n')[0])),
            ["PKCS#1 base64"] = Convert.ToBase64String(pkcs1)[..64],
        };
        CryptographicOperations.ZeroMemory(pkcs8);

        // Every row of every table, rendered as text (bytea as \x hex), read as the owner.
        await using var connection = new NpgsqlConnection(fixture.Databases.EncimapOwner);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var command = new NpgsqlCommand(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables " +
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        Assert.Contains("public.vaultbox_private_keys", tables);
        Assert.True(tables.Count >= 10, $"only {tables.Count} tables found");

        var cells = 0;
        var wrappedSeen = false;
        var ciphertextHex = Convert.ToHexStringLower(issued.PrivateKey.Ciphertext.Span);
        foreach (var table in tables)
        {
            var columns = new List<string>();
            await using (var command = new NpgsqlCommand(
                "SELECT quote_ident(column_name) FROM information_schema.columns WHERE quote_ident(table_schema) || '.' || quote_ident(table_name) = @t", connection))
            {
                command.Parameters.AddWithValue("t", table);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    columns.Add(reader.GetString(0));
                }
            }
            foreach (var column in columns)
            {
                await using var command = new NpgsqlCommand($"SELECT {column}::text FROM {table}", connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    if (reader.IsDBNull(0))
                    {
                        continue;
                    }
                    cells++;
                    var text = reader.GetString(0);
                    wrappedSeen |= text.Contains(ciphertextHex, StringComparison.Ordinal);
                    foreach (var (what, needle) in needles)
                    {
                        Assert.False(text.Contains(needle, StringComparison.OrdinalIgnoreCase), $"{what} found in {table}.{column}");
                    }
                }
            }
        }
        // The scan does see the stored key material: wrapped, it is there.
        Assert.True(wrappedSeen, "the wrapped key was not found by the scan");
        Assert.True(cells > 20, $"only {cells} cells scanned");
    }

    [Fact]
    public async Task Unwrapping_fails_with_another_KEK_or_on_another_certificate()
    {
        var client = fixture.Server.Client;
        var a = await client.IssueCertificateAsync(new IssueCertificateRequest { Email = "a@call.example" });
        var b = await client.IssueCertificateAsync(new IssueCertificateRequest { Email = "b@call.example" });
        var custody = fixture.Server.Services.GetRequiredService<PrivateKeyCustody>();
        CryptographicOperations.ZeroMemory(custody.Unwrap(a.PrivateKey, a.ThumbprintSha256));

        // Same id, different key bytes.
        using var otherRing = KeyEncryptionKeyRing.FromKeys(
            new Dictionary<string, byte[]> { [a.PrivateKey.KekId] = RandomNumberGenerator.GetBytes(32) }, a.PrivateKey.KekId);
        Assert.ThrowsAny<CryptographicException>(() => new PrivateKeyCustody(otherRing).Unwrap(a.PrivateKey, a.ThumbprintSha256));
        // A KEK this service does not have.
        var unknownKek = a.PrivateKey.Clone();
        unknownKek.KekId = "no-such-kek";
        Assert.ThrowsAny<CryptographicException>(() => custody.Unwrap(unknownKek, a.ThumbprintSha256));
        // A's wrapped key presented as B's.
        Assert.ThrowsAny<CryptographicException>(() => custody.Unwrap(a.PrivateKey, b.ThumbprintSha256));
        // One flipped bit.
        var tampered = a.PrivateKey.Clone();
        var bytes = tampered.Ciphertext.ToByteArray();
        bytes[100] ^= 1;
        tampered.Ciphertext = Google.Protobuf.ByteString.CopyFrom(bytes);
        Assert.ThrowsAny<CryptographicException>(() => custody.Unwrap(tampered, a.ThumbprintSha256));
    }

    [Fact]
    public async Task Wrapped_key_moved_to_another_certificate_row_does_not_export()
    {
        var (first, firstAddress) = await TestData.CreateVaultboxAsync(fixture.Databases);
        var (second, secondAddress) = await TestData.CreateVaultboxAsync(fixture.Databases);
        var firstIssued = await fixture.Server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = firstAddress });
        var secondIssued = await fixture.Server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = secondAddress });
        var firstCert = await TestData.StoreAsync(fixture.Databases, first, firstIssued);
        var secondCert = await TestData.StoreAsync(fixture.Databases, second, secondIssued);

        // Someone with database access copies the first vaultbox's wrapped key onto the second's certificate.
        await TestData.ScalarAsync<object>(fixture.Databases.EncimapOwner, """
            UPDATE vaultbox_private_keys dst
            SET kek_id = src.kek_id, nonce = src.nonce, ciphertext = src.ciphertext, tag = src.tag
            FROM vaultbox_private_keys src
            WHERE src.cert_id = @from AND dst.cert_id = @to
            """, ("from", firstCert), ("to", secondCert));

        var e = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Client.ExportPkcs12Async(
            new ExportRequest { VaultboxId = second.ToString(), Password = "long enough" }).ResponseAsync);
        Assert.Equal(StatusCode.Unknown, e.StatusCode);
        Assert.DoesNotContain("key", e.Status.Detail, StringComparison.OrdinalIgnoreCase);
        // The first one still exports.
        await fixture.Server.Client.ExportPkcs12Async(new ExportRequest { VaultboxId = first.ToString(), Password = "long enough" });
    }

    [Fact]
    public async Task After_KEK_rotation_old_keys_still_export_and_new_keys_use_the_new_KEK()
    {
        await using var databases = await TestDatabases.CreateAsync();
        var root = Directory.CreateTempSubdirectory("encimap-rotation-").FullName;
        try
        {
            var kekDirectory = Path.Combine(root, "keks");
            var kekA = KeyEncryptionKeyRing.GenerateKeyFile(kekDirectory, "kek-a");
            var (id, address) = await TestData.CreateVaultboxAsync(databases);

            IssuedCertificate underA;
            await using (var server = await CertificatesServer.StartAsync(databases.EncimapApp, Small, kekDirectory))
            {
                underA = await server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = address, ValidityDays = 40 });
            }
            Assert.Equal(kekA, underA.PrivateKey.KekId);
            await TestData.StoreAsync(databases, id, underA);

            // Rotation: a newer KEK file becomes current (the newest file wins without configuration).
            var kekB = KeyEncryptionKeyRing.GenerateKeyFile(kekDirectory, "kek-b");
            File.SetLastWriteTimeUtc(Path.Combine(kekDirectory, "kek-b.key"), DateTime.UtcNow.AddSeconds(5));
            await using (var server = await CertificatesServer.StartAsync(databases.EncimapApp, Small, kekDirectory))
            {
                var underB = await server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = address });
                Assert.Equal(kekB, underB.PrivateKey.KekId);
                await TestData.StoreAsync(databases, id, underB);

                var reply = await server.Client.ExportPkcs12Async(new ExportRequest { VaultboxId = id.ToString(), Password = "long enough" });
                using var openssl = new OpenSsl();
                var p12 = openssl.Write("rot.p12", reply.Pkcs12.ToByteArray());
                var info = (await openssl.RunOkAsync("pkcs12", "-info", "-nodes", "-in", p12, "-passin", "pass:long enough")).Output.Replace("\r\n", "\n");
                Assert.Contains(ExportTests.PemOf(underA), info);
                Assert.Contains(ExportTests.PemOf(underB), info);
                Assert.Equal(2, info.Split("-----BEGIN PRIVATE KEY-----").Length - 1);
            }

            var kekIds = await TestData.ScalarAsync<string>(databases.EncimapOwner,
                "SELECT string_agg(k.kek_id, ',' ORDER BY c.not_after) FROM vaultbox_private_keys k JOIN vaultbox_certs c ON c.id = k.cert_id WHERE c.vaultbox_id = @id",
                ("id", id));
            Assert.Equal("kek-a,kek-b", kekIds);

            // An explicit CurrentKekId overrides "newest file".
            await using (var server = await CertificatesServer.StartAsync(databases.EncimapApp,
                settings => { Small(settings); settings["Certificates:CurrentKekId"] = "kek-a"; }, kekDirectory))
            {
                var again = await server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = address });
                Assert.Equal("kek-a", again.PrivateKey.KekId);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Stored_rows_round_trip_through_CertificateRecords()
    {
        var (id, address) = await TestData.CreateVaultboxAsync(fixture.Databases);
        var issued = await fixture.Server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = address });
        var certId = await TestData.StoreAsync(fixture.Databases, id, issued);

        await using var connection = new NpgsqlConnection(fixture.Databases.EncimapApp);
        await connection.OpenAsync();
        var row = Assert.Single(await CertificateRecords.ListActiveAsync(connection, id));
        Assert.Equal(certId, row.Id);
        Assert.Equal(issued.CertificateDer.ToByteArray(), row.CertificateDer);
        Assert.Equal(issued.SerialNumber, row.SerialNumber);
        Assert.Equal(issued.ThumbprintSha256, row.ThumbprintSha256);
        Assert.Equal($"E={address}, CN={address}", row.Subject);
        Assert.Equal(issued.NotBefore.ToDateTimeOffset(), row.NotBefore);
        Assert.Equal(issued.NotAfter.ToDateTimeOffset(), row.NotAfter);
        Assert.Equal("active", row.Status);
        Assert.Equal(issued.PrivateKey, row.PrivateKey);

        // A second insert of the same certificate is refused (thumbprint unique) and leaves no key row behind.
        await Assert.ThrowsAsync<PostgresException>(() => TestData.StoreAsync(fixture.Databases, id, issued));
        Assert.Equal(1L, await TestData.ScalarAsync<long>(fixture.Databases.EncimapOwner,
            "SELECT count(*) FROM vaultbox_private_keys k JOIN vaultbox_certs c ON c.id = k.cert_id WHERE c.vaultbox_id = @id", ("id", id)));
    }

    private static void Small(Dictionary<string, string?> settings)
    {
        settings["Certificates:KeyPoolSize"] = "1";
        settings["Certificates:GenerateDevelopmentKek"] = "false";
    }
}

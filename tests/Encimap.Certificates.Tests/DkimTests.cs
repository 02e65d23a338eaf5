using System.Security.Cryptography;
using System.Text;
using Encimap.Certificates.Tests.Infrastructure;
using Encimap.Contracts.Certificates;
using Encimap.Testing;
using Google.Protobuf;
using Grpc.Core;
using Npgsql;

namespace Encimap.Certificates.Tests;

/// <summary>
/// DKIM keys and signatures of the certificate service, checked with dkimpy (Debian's
/// python3-dkim) against the DNS record the service says to publish.
/// </summary>
public sealed class DkimTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const string Message =
        "Received: from client.example by mx.test.example with ESMTPSA id 1; Fri, 4 Dec 2026 10:00:00 +0000\r\n" +
        "From: Cat <cat@{0}>\r\n" +
        "To: dog@receiver.example\r\n" +
        "Subject: DKIM   test\r\n" +
        "Date: Fri, 4 Dec 2026 10:00:00 +0000\r\n" +
        "Message-ID: <dkim-test@{0}>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: 8bit\r\n" +
        "\r\n" +
        "Hello  there, this is signed.\r\n" +
        "Grüße\r\n" +
        "\r\n";

    private static int _counter;

    [Fact]
    public async Task A_domain_gets_one_rsa_key_on_first_use_with_the_record_to_publish()
    {
        var domain = NewDomain();
        var keys = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            fixture.Server.Client.GetDkimKeyAsync(new GetDkimKeyRequest { Domain = domain }).ResponseAsync));

        var key = keys[0];
        Assert.All(keys, other => Assert.Equal(key.PublicKey, other.PublicKey));
        Assert.Equal(domain, key.Domain);
        Assert.Equal(DkimKeyAlgorithm.RsaSha256, key.Algorithm);
        Assert.Matches("^encimap-[0-9]{6}$", key.Selector);
        Assert.Equal($"{key.Selector}._domainkey.{domain}", key.DnsName);
        Assert.Equal($"v=DKIM1; k=rsa; p={Convert.ToBase64String(key.PublicKey.ToByteArray())}", key.DnsTxt);
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(key.PublicKey.Span, out var read);
        Assert.Equal(key.PublicKey.Length, read);
        Assert.Equal(2048, rsa.KeySize);

        var rows = await TestData.ScalarAsync<long>(fixture.Databases.EncimapOwner,
            "SELECT count(*) FROM dkim_keys WHERE domain = @domain", ("domain", domain));
        Assert.Equal(1, rows);
    }

    [Fact]
    public async Task The_stored_private_key_is_wrapped_not_clear()
    {
        var domain = NewDomain();
        var key = await fixture.Server.Client.GetDkimKeyAsync(new GetDkimKeyRequest { Domain = domain });

        await using var connection = new NpgsqlConnection(fixture.Databases.EncimapOwner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT ciphertext, nonce, tag, kek_id, wrap_algorithm, row_to_json(k)::text FROM dkim_keys k WHERE domain = @domain", connection);
        command.Parameters.AddWithValue("domain", domain);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var ciphertext = reader.GetFieldValue<byte[]>(0);
        var row = reader.GetString(5);
        Assert.Equal("A256GCM", reader.GetString(4));
        Assert.DoesNotContain("PRIVATE KEY", row, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", Encoding.ASCII.GetString(ciphertext), StringComparison.Ordinal);
        using var rsa = RSA.Create();
        Assert.ThrowsAny<CryptographicException>(() => rsa.ImportPkcs8PrivateKey(ciphertext, out _));

        // Unwrapped by the service's custody, it is the private half of the published key.
        var custody = fixture.Server.Services.GetService(typeof(PrivateKeyCustody)) as PrivateKeyCustody;
        var wrapped = new WrappedPrivateKey
        {
            Ciphertext = ByteString.CopyFrom(ciphertext),
            Nonce = ByteString.CopyFrom(reader.GetFieldValue<byte[]>(1)),
            Tag = ByteString.CopyFrom(reader.GetFieldValue<byte[]>(2)),
            KekId = reader.GetString(3),
            Algorithm = reader.GetString(4),
        };
        var pkcs8 = custody!.UnwrapDkimKey(wrapped, domain, key.Selector);
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        CryptographicOperations.ZeroMemory(pkcs8);
        Assert.Equal(key.PublicKey.ToByteArray(), rsa.ExportSubjectPublicKeyInfo());
        // Bound to its domain and selector: under another name it does not unwrap.
        Assert.ThrowsAny<CryptographicException>(() => custody.UnwrapDkimKey(wrapped, "other.example", key.Selector));
        Assert.ThrowsAny<CryptographicException>(() => custody.Unwrap(wrapped, new string('a', 64)));
    }

    [Fact]
    public async Task A_signed_message_verifies_with_dkimpy_and_a_changed_one_does_not()
    {
        var domain = NewDomain();
        var message = Encoding.UTF8.GetBytes(string.Format(System.Globalization.CultureInfo.InvariantCulture, Message, domain));
        var key = await fixture.Server.Client.GetDkimKeyAsync(new GetDkimKeyRequest { Domain = domain });
        var reply = await fixture.Server.Client.SignDkimAsync(new SignDkimRequest { Domain = domain, Message = ByteString.CopyFrom(message) });
        var field = Encoding.ASCII.GetString(reply.SignatureField.Span);
        Assert.Equal(key.Selector, reply.Selector);
        Assert.StartsWith("DKIM-Signature:", field, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", field, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\n\r\n", field, StringComparison.Ordinal);
        Assert.DoesNotMatch("(?<!\r)\n", field);
        var tags = Tags(field);
        Assert.Equal("rsa-sha256", tags["a"]);
        Assert.Equal("relaxed/relaxed", tags["c"]);
        Assert.Equal(domain, tags["d"]);
        Assert.Equal(key.Selector, tags["s"]);
        Assert.Equal(
            "from:from:subject:date:to:message-id:mime-version:content-type:content-transfer-encoding",
            tags["h"].ToLowerInvariant());

        var signed = Concat(reply.SignatureField.ToByteArray(), message);
        var verdict = await DkimPy.VerifyAsync(signed, key.DnsName, key.DnsTxt);
        Assert.True(verdict.Pass, verdict.Output);

        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace("this is signed", "this is forged", StringComparison.Ordinal));
        verdict = await DkimPy.VerifyAsync(tampered, key.DnsName, key.DnsTxt);
        Assert.False(verdict.Pass, verdict.Output);

        // A second From field, added on the way, breaks it too (From is over-signed).
        var added = Concat(reply.SignatureField.ToByteArray(), Encoding.ASCII.GetBytes($"From: mallory@{domain}\r\n"), message);
        verdict = await DkimPy.VerifyAsync(added, key.DnsName, key.DnsTxt);
        Assert.False(verdict.Pass, verdict.Output);

        // Another domain's record does not verify it.
        var other = await fixture.Server.Client.GetDkimKeyAsync(new GetDkimKeyRequest { Domain = NewDomain() });
        verdict = await DkimPy.VerifyAsync(signed, key.DnsName, other.DnsTxt);
        Assert.False(verdict.Pass, verdict.Output);
    }

    public static TheoryData<string> Corpus() => new(Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "TestData", "mime"), "*.eml")
        .Select(Path.GetFileName)
        .Where(name => name is not "header-line-1mb.eml")
        .Order(StringComparer.Ordinal)!);

    /// <summary>
    /// Real-world and malformed messages (as SMTP carries them: CRLF lines): the signature covers
    /// the very bytes sent, whatever MimeKit makes of their structure.
    /// </summary>
    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Messages_of_the_corpus_verify_as_sent(string name)
    {
        var domain = NewDomain();
        var raw = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "TestData", "mime", name));
        var message = WithCrlf(raw);
        var key = await fixture.Server.Client.GetDkimKeyAsync(new GetDkimKeyRequest { Domain = domain });
        var reply = await fixture.Server.Client.SignDkimAsync(new SignDkimRequest { Domain = domain, Message = ByteString.CopyFrom(message) });

        var verdict = await DkimPy.VerifyAsync(Concat(reply.SignatureField.ToByteArray(), message), key.DnsName, key.DnsTxt);
        Assert.True(verdict.Pass, verdict.Output);
    }

    [Fact]
    public async Task Ed25519_keys_are_the_option_and_verify_with_dkimpy()
    {
        await using var server = await CertificatesServer.StartAsync(fixture.Databases.EncimapApp,
            settings => settings["Dkim:KeyAlgorithm"] = "ed25519");
        var domain = NewDomain();
        var message = Encoding.UTF8.GetBytes(string.Format(System.Globalization.CultureInfo.InvariantCulture, Message, domain));
        var key = await server.Client.GetDkimKeyAsync(new GetDkimKeyRequest { Domain = domain });
        Assert.Equal(DkimKeyAlgorithm.Ed25519Sha256, key.Algorithm);
        Assert.Matches("^encimap-[0-9]{6}-ed25519$", key.Selector);
        Assert.Equal(32, key.PublicKey.Length);
        Assert.Equal($"v=DKIM1; k=ed25519; p={Convert.ToBase64String(key.PublicKey.ToByteArray())}", key.DnsTxt);

        var reply = await server.Client.SignDkimAsync(new SignDkimRequest { Domain = domain, Message = ByteString.CopyFrom(message) });
        Assert.Equal("ed25519-sha256", Tags(Encoding.ASCII.GetString(reply.SignatureField.Span))["a"]);
        var signed = Concat(reply.SignatureField.ToByteArray(), message);
        var verdict = await DkimPy.VerifyAsync(signed, key.DnsName, key.DnsTxt);
        Assert.True(verdict.Pass, verdict.Output);

        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace("DKIM   test", "DKIM test!", StringComparison.Ordinal));
        verdict = await DkimPy.VerifyAsync(tampered, key.DnsName, key.DnsTxt);
        Assert.False(verdict.Pass, verdict.Output);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper.Example")]
    [InlineData("no-dot")]
    [InlineData("bad_label.example")]
    [InlineData("-dash.example")]
    public async Task Bad_domains_are_refused(string domain)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Server.Client.GetDkimKeyAsync(new GetDkimKeyRequest { Domain = domain }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        error = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Server.Client.SignDkimAsync(new SignDkimRequest { Domain = domain, Message = ByteString.CopyFromUtf8("From: a@b.example\r\n\r\nx\r\n") }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task An_empty_message_is_refused_and_anonymous_callers_get_nothing()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Server.Client.SignDkimAsync(new SignDkimRequest { Domain = NewDomain() }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        error = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Server.AnonymousClient.GetDkimKeyAsync(new GetDkimKeyRequest { Domain = NewDomain() }));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    private static string NewDomain() => $"d{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}"[..24] + ".example";

    private static Dictionary<string, string> Tags(string field)
    {
        var value = field[(field.IndexOf(':') + 1)..];
        return value.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(tag => tag.Split('=', 2))
            .ToDictionary(parts => parts[0].Trim(), parts => string.Concat(parts[1].Where(c => !char.IsWhiteSpace(c))));
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(part => part).ToArray();

    private static byte[] WithCrlf(byte[] raw)
    {
        var output = new List<byte>(raw.Length + 1024);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
            {
                output.Add((byte)'\r');
            }
            else if (raw[i] == '\r' && (i + 1 == raw.Length || raw[i + 1] != '\n'))
            {
                output.Add(raw[i]);
                output.Add((byte)'\n');
                continue;
            }

            output.Add(raw[i]);
        }

        return output.ToArray();
    }
}

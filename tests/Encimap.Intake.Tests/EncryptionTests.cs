using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Text.Json;
using Encimap.Contracts.Intake;
using Encimap.Mime;
using Google.Protobuf;
using Grpc.Core;
using IntakeContract = Encimap.Contracts.Intake.Intake;

namespace Encimap.Intake.Tests;

/// <summary>
/// Every message of the corpus, delivered over gRPC, with curl and through the Postfix pipe
/// script, is stored encrypted and decrypts with OpenSSL 3 and the owner's P12 key to the
/// original, byte for byte; the outer header is what clients list.
/// </summary>
[Collection(IntakeFleetCollection.Name)]
public sealed class EncryptionTests(IntakeFixture fleet) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("encimap-intake-keys-").FullName;

    [Fact]
    public async Task Every_corpus_message_decrypts_to_the_original_through_grpc_curl_and_the_pipe_script()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("corpus");
        var keys = await VaultboxKeys.LoadAsync(fleet, vaultbox.Id, _work);
        var url = $"http://127.0.0.1:{fleet.IntakeHttpPort}";
        var checkedCount = 0;
        foreach (var (name, raw) in Corpus.Messages())
        {
            var reply = await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync;
            var result = Assert.Single(reply.Results);
            Assert.True(DeliveryOutcome.Stored == result.Outcome, $"{name}: {result.Outcome}");
            Assert.Equal(vaultbox.Id.ToString(), result.VaultboxId);
            await AssertDecryptsAsync(name, raw, await fleet.ContentAsync(vaultbox.Id, result.Uid), keys, StoredMessageAssert.GrpcReceived, "sender@sender.example");

            var (status, body) = await Tools.CurlPostAsync($"{url}/intake/{vaultbox.Id}", raw);
            Assert.True(status == 201, $"{name}: curl got {status} {body}");
            var answer = JsonDocument.Parse(body).RootElement;
            Assert.Equal("stored", answer.GetProperty("outcome").GetString());
            Assert.Equal(vaultbox.Id, answer.GetProperty("vaultbox_id").GetGuid());
            var curlUid = answer.GetProperty("uid").GetUInt32();
            Assert.Equal(result.Uid + 1, curlUid);
            await AssertDecryptsAsync(name, raw, await fleet.ContentAsync(vaultbox.Id, curlUid), keys, StoredMessageAssert.HttpReceived, null);

            var piped = await Tools.PipeAsync(raw, url, vaultbox.Id.ToString(), null, "pipe@sender.example", vaultbox.Address);
            Assert.True(piped.ExitCode == 0, $"{name}: encimap-pipe exited {piped.ExitCode}: {piped.Error}");
            await AssertDecryptsAsync(name, raw, await fleet.ContentAsync(vaultbox.Id, curlUid + 1), keys, StoredMessageAssert.HttpReceived, "pipe@sender.example");
            checkedCount += 3;
        }

        Assert.Equal(checkedCount, await fleet.MessageCountAsync(vaultbox.Id));
    }

    [Fact]
    public async Task A_35_mib_message_streamed_in_chunks_decrypts_with_openssl_and_a_resend_is_a_duplicate()
    {
        // The fleet's second intake takes 36 MiB; the first one's limit is small.
        var client = fleet.InternalGrpcClient<IntakeContract.IntakeClient>(IntakeContract.Descriptor, IntakeFixture.GuardedIntake);
        var vaultbox = await fleet.CreateVaultboxAsync("large");
        await fleet.AddCertificateAsync(vaultbox);
        var keys = await VaultboxKeys.LoadAsync(fleet, vaultbox.Id, _work);
        Assert.Equal(2, keys.KeyFiles.Count);
        var raw = LargeMessage(35 * 1024 * 1024);

        var first = Assert.Single((await DeliverStreamedAsync(client, raw, vaultbox.Address)).Results);
        Assert.Equal(DeliveryOutcome.Stored, first.Outcome);
        var stored = await fleet.ContentAsync(vaultbox.Id, first.Uid);
        await AssertDecryptsAsync("large", raw, stored, keys, StoredMessageAssert.GrpcReceived, "sender@sender.example");

        // Stored in chunks of whole base64 lines, not in one datum (migration 0017).
        const string chunks = "SELECT count(*) FROM message_chunks c JOIN messages m ON m.id = c.message_id WHERE m.vaultbox_id = $1";
        var chunkCount = await fleet.ScalarAsync<long>(chunks, vaultbox.Id);
        Assert.True(chunkCount > 30, $"{chunkCount} chunks");
        Assert.True(await fleet.ScalarAsync<bool>(
            "SELECT content_der IS NULL AND chunked_der_length = (SELECT sum(octet_length(c.data)) FROM message_chunks c WHERE c.message_id = m.id) FROM messages m WHERE vaultbox_id = $1 AND uid = $2",
            vaultbox.Id, (long)first.Uid));

        // The DER alone, the chunks put together, as OpenSSL reads it, opens with every active certificate's key.
        var der = Path.Combine(_work, "large.der");
        await File.WriteAllBytesAsync(der, await fleet.ScalarAsync<byte[]>("SELECT message_der(m) FROM messages m WHERE vaultbox_id = $1 AND uid = $2", vaultbox.Id, (long)first.Uid));
        foreach (var key in keys.KeyFiles)
        {
            var plain = await Tools.OpensslAsync("cms", "-decrypt", "-inform", "DER", "-in", der, "-inkey", key);
            Assert.True(raw.AsSpan().SequenceEqual(plain.Output), $"openssl -inform DER with {Path.GetFileName(key)}: {plain.Output.Length} vs {raw.Length} bytes");
        }

        // The duplicate key is computed from the stream as from one piece.
        var again = Assert.Single((await DeliverStreamedAsync(client, raw, vaultbox.Address)).Results);
        Assert.Equal(DeliveryOutcome.Duplicate, again.Outcome);
        Assert.Equal(first.Uid, again.Uid);
        var unary = Assert.Single((await client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address))).Results);
        Assert.Equal(DeliveryOutcome.Duplicate, unary.Outcome);
        // The duplicates' chunks were sent but dropped: none without a message.
        Assert.Equal(chunkCount, await fleet.ScalarAsync<long>(chunks, vaultbox.Id));
        Assert.Equal(0L, await fleet.ScalarAsync<long>("SELECT count(*) FROM message_chunks c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = c.message_id)"));

        // Past the limit, the stream is cut off with RESOURCE_EXHAUSTED and nothing is stored.
        var over = await Assert.ThrowsAsync<RpcException>(() => DeliverStreamedAsync(client, LargeMessage(IntakeFixture.GuardedMaxMessageBytes + 1), vaultbox.Address));
        Assert.Equal(StatusCode.ResourceExhausted, over.StatusCode);
        Assert.Equal(1, await fleet.MessageCountAsync(vaultbox.Id));
    }

    [Fact]
    public async Task A_stream_that_does_not_start_with_the_envelope_is_refused()
    {
        using var call = fleet.Client.DeliverStream();
        await call.RequestStream.WriteAsync(new DeliverChunk { Data = ByteString.CopyFromUtf8("Subject: x\r\n\r\nbody\r\n") });
        await call.RequestStream.CompleteAsync();
        var refused = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Contains("envelope", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
    }

    /// <summary>DeliverStream as the SMTP gateway calls it: the envelope with the first octets, then 64 KiB chunks.</summary>
    private static async Task<DeliverReply> DeliverStreamedAsync(IntakeContract.IntakeClient client, byte[] raw, string recipient)
    {
        using var call = client.DeliverStream();
        var envelope = StoredMessageAssert.Request(raw.AsSpan(0, 1000).ToArray(), recipient);
        await call.RequestStream.WriteAsync(new DeliverChunk { Envelope = envelope });
        try
        {
            for (var offset = 1000; offset < raw.Length; offset += 64 * 1024)
            {
                var chunk = raw.AsMemory(offset, Math.Min(64 * 1024, raw.Length - offset));
                await call.RequestStream.WriteAsync(new DeliverChunk { Data = UnsafeByteOperations.UnsafeWrap(chunk) });
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The intake ended the call early: its answer says why.
        }

        return await call.ResponseAsync;
    }

    // A text part and a base64 attachment of about size octets, CRLF lines.
    private static byte[] LargeMessage(int size)
    {
        var text = new StringBuilder(
            "From: Sender <sender@sender.example>\r\nTo: someone@call.example\r\nDate: Thu, 19 Nov 2026 10:00:00 +0000\r\n" +
            $"Message-ID: <large.{Guid.NewGuid():N}@sender.example>\r\nSubject: large\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nAttached.\r\n--b\r\n" +
            "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n", size + 1024);
        var random = new Random(17);
        var line = new byte[57];
        while (text.Length < size)
        {
            random.NextBytes(line);
            text.Append(Convert.ToBase64String(line)).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("--b--\r\n").ToString());
    }

    [Fact]
    public async Task A_hidden_subject_vaultbox_lists_three_dots_and_stores_no_subject()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("hidden", hideSubject: true);
        var keys = await VaultboxKeys.LoadAsync(fleet, vaultbox.Id, _work);
        var raw = Corpus.Named("intake/plain-crlf.eml");
        var reply = await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync;
        var uid = Assert.Single(reply.Results).Uid;
        var stored = await fleet.ContentAsync(vaultbox.Id, uid);
        Assert.Contains("\r\nSubject: ...\r\n", Encoding.ASCII.GetString(stored));
        Assert.DoesNotContain("Lunch", Encoding.ASCII.GetString(stored));
        await AssertDecryptsAsync("hidden", raw, stored, keys, StoredMessageAssert.GrpcReceived, "sender@sender.example", hideSubject: true);
        Assert.True(await fleet.ScalarAsync<bool>("SELECT subject IS NULL FROM messages WHERE vaultbox_id = $1", vaultbox.Id));
    }

    [Fact]
    public async Task The_outer_header_keeps_what_clients_list_thread_and_reply_with_and_never_bcc()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("threading");
        var keys = await VaultboxKeys.LoadAsync(fleet, vaultbox.Id, _work);
        var raw = Corpus.Named("intake/reply-with-threading-headers.eml");
        var uid = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address))).Results).Uid;
        var stored = await fleet.ContentAsync(vaultbox.Id, uid);
        var outer = MessageReader.ReadHeaders(stored);
        var original = MessageReader.ReadHeaders(raw);
        foreach (var name in new[] { "Date", "Subject", "From", "Sender", "Reply-To", "To", "Cc", "Message-ID", "In-Reply-To", "References" })
        {
            Assert.Equal(RawHeader.Value(original, name), RawHeader.Value(outer, name));
        }

        Assert.Null(RawHeader.First(outer, "Bcc"));
        Assert.Null(RawHeader.First(outer, "List-Id"));
        Assert.DoesNotContain("secret-watcher", Encoding.ASCII.GetString(stored));

        // ENVELOPE, rendered at delivery from the outer header, has each of them and no Bcc.
        var envelope = Encoding.UTF8.GetString(await fleet.ScalarAsync<byte[]>("SELECT imap_envelope FROM messages WHERE vaultbox_id = $1", vaultbox.Id));
        Assert.Equal(
            "(\"Tue, 17 Nov 2026 10:00:00 +0000\" \"Re: Lunch on Thursday?\" ((\"=?UTF-8?Q?Bj=C3=B6rn_Example?=\" NIL \"bjorn\" \"sender.example\")) " +
            "((\"Mailing List Robot\" NIL \"list-bounces\" \"lists.sender.example\")) ((\"Lunch List\" NIL \"lunch\" \"lists.sender.example\")) " +
            "((NIL NIL \"cat\" \"call.example\")(\"Alice Example\" NIL \"alice\" \"sender.example\")) ((\"Carol, the third\" NIL \"carol\" \"sender.example\")) NIL " +
            "\"<plain-crlf.1@sender.example>\" \"<reply-headers.2@sender.example>\")",
            envelope);
        await AssertDecryptsAsync("threading", raw, stored, keys, StoredMessageAssert.GrpcReceived, "sender@sender.example");
    }

    [Fact]
    public async Task The_stored_row_carries_metadata_computed_from_the_stored_message()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("columns");
        var raw = Corpus.Named("intake/plain-crlf.eml");
        var uid = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync).Results).Uid;
        await using var connection = fleet.OpenOwner();
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            """
            SELECT size_bytes, octet_length(message_bytes(m)), message_id, from_domain, to_alias, subject, envelope::text,
                   body_structure::text, cardinality(flags), modseq, dedup_key IS NOT NULL,
                   position('\x0d0a0d0a'::bytea IN content) = octet_length(content) - 3, octet_length(content_der)
            FROM messages m WHERE vaultbox_id = $1 AND uid = $2
            """, connection);
        command.Parameters.AddWithValue(vaultbox.Id);
        command.Parameters.AddWithValue((long)uid);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(reader.GetInt32(0), reader.GetInt32(1));
        Assert.Contains("plain-crlf.1@sender.example", reader.GetString(2));
        Assert.Equal("sender.example", reader.GetString(3));
        Assert.Equal(vaultbox.Address.Split('@')[0], reader.GetString(4));
        Assert.Equal("Lunch on Thursday?", reader.GetString(5));
        Assert.Contains("Lunch on Thursday?", reader.GetString(6));
        Assert.Contains("pkcs7-mime", reader.GetString(7), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, reader.GetInt32(8));
        Assert.Equal(2, reader.GetInt64(9));
        Assert.True(reader.GetBoolean(10));
        // Stored as the header and the DER: what IMAP serves is a third larger.
        Assert.True(reader.GetBoolean(11));
        Assert.True(reader.GetInt32(12) * 4 / 3 < reader.GetInt32(0), "the DER is stored, not the base64");
        await reader.DisposeAsync();

        // The intake computes the structure without rendering the base64: it must be what parsing
        // the served message gives, sizes and offsets included.
        var served = await fleet.ContentAsync(vaultbox.Id, uid);
        var expected = MimeJson.Serialize(BodyStructure.Parse(served));
        Assert.True(await fleet.ScalarAsync<bool>(
            "SELECT body_structure = $3::jsonb FROM messages WHERE vaultbox_id = $1 AND uid = $2", vaultbox.Id, (long)uid, expected));
    }

    [Fact]
    public async Task An_oaep_vaultbox_gets_rsaes_oaep_recipient_infos_that_openssl_decrypts()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("oaep", keyTransport: "rsa-oaep");
        var keys = await VaultboxKeys.LoadAsync(fleet, vaultbox.Id, _work);
        var raw = Corpus.Named("intake/multipart-attachment-8bit-header.eml");
        var uid = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync).Results).Uid;
        var stored = await fleet.ContentAsync(vaultbox.Id, uid);
        var structure = await keys.PrintAsync(stored);
        Assert.Contains("rsaesOaep", structure);
        Assert.Contains("aes-256-cbc", structure);
        await AssertDecryptsAsync("oaep", raw, stored, keys, StoredMessageAssert.GrpcReceived, "sender@sender.example");
    }

    [Fact]
    public async Task Dotnet_reads_the_enveloped_data_too_and_every_message_has_its_own_key_and_iv()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("envelope", keyTransport: "rsa-oaep");
        await fleet.AddCertificateAsync(vaultbox);
        var owner = X509CertificateLoader.LoadPkcs12Collection(await fleet.DownloadP12Async(vaultbox.Id), IntakeFixture.P12Password);
        Assert.Equal(2, owner.Count);
        var seen = new List<(byte[] Iv, byte[] Key)>();
        foreach (var tag in new[] { "envelope-1", "envelope-2" })
        {
            var raw = Corpus.Unique(tag, 5_000);
            var uid = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync).Results).Uid;
            var body = SmimeBody(await fleet.ContentAsync(vaultbox.Id, uid));
            var cms = new EnvelopedCms();
            cms.Decode(body);

            Assert.Equal(0, cms.Version);
            Assert.Equal("2.16.840.1.101.3.4.1.42", cms.ContentEncryptionAlgorithm.Oid.Value);
            Assert.Equal("1.2.840.113549.1.7.1", cms.ContentInfo.ContentType.Value);
            Assert.Equal(2, cms.RecipientInfos.Count);
            var serials = new List<string>();
            for (var i = 0; i < cms.RecipientInfos.Count; i++)
            {
                var keyTransport = Assert.IsType<KeyTransRecipientInfo>(cms.RecipientInfos[i]);
                Assert.Equal(0, keyTransport.Version);
                Assert.Equal("1.2.840.113549.1.1.7", keyTransport.KeyEncryptionAlgorithm.Oid.Value);
                Assert.Equal(SubjectIdentifierType.IssuerAndSerialNumber, keyTransport.RecipientIdentifier.Type);
                serials.Add(((X509IssuerSerial)keyTransport.RecipientIdentifier.Value!).SerialNumber);
                seen.Add((ContentEncryptionIv(body), keyTransport.EncryptedKey));

                // Each RecipientInfo on its own opens the content with its certificate's key.
                var decrypting = new EnvelopedCms();
                decrypting.Decode(body);
                decrypting.Decrypt(decrypting.RecipientInfos[i], owner);
                Assert.Equal(raw, decrypting.ContentInfo.Content);
            }

            Assert.Equal(owner.Select(c => c.SerialNumber).Order(), serials.Order());
        }

        Assert.Equal(16, seen[0].Iv.Length);
        Assert.NotEqual(seen[0].Iv, seen[2].Iv);
        Assert.Equal(4, seen.Select(s => Convert.ToHexString(s.Key)).Distinct().Count());
    }

    [Fact]
    public async Task A_vaultbox_with_two_active_certificates_decrypts_with_either_key()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("rotation");
        await fleet.AddCertificateAsync(vaultbox);
        var keys = await VaultboxKeys.LoadAsync(fleet, vaultbox.Id, _work);
        Assert.Equal(2, keys.KeyFiles.Count);
        var raw = Corpus.Named("intake/lf-only-encoded-words.eml");
        var uid = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync).Results).Uid;
        var stored = await fleet.ContentAsync(vaultbox.Id, uid);
        var structure = await keys.PrintAsync(stored);
        Assert.Equal(2, structure.Split("d.ktri:").Length - 1);
        Assert.Contains("issuerAndSerialNumber", structure);
        Assert.Contains("rsaEncryption", structure);
        foreach (var key in keys.KeyFiles)
        {
            Assert.Equal(raw, await keys.DecryptAsync(stored, key));
        }
    }

    [Fact]
    public async Task A_certificate_issued_after_mail_was_delivered_receives_mail_once_the_cache_lifetime_is_over()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("newcert");
        // This delivery leaves the vaultbox's one certificate in the intake's cache.
        var before = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique("before-new-certificate"), vaultbox.Address)).ResponseAsync).Results).Uid;
        await fleet.AddCertificateAsync(vaultbox);
        await Task.Delay(IntakeFixture.CertificateCacheTtl + TimeSpan.FromSeconds(1));
        var raw = Corpus.Unique("after-new-certificate");
        var after = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync).Results).Uid;

        var keys = await VaultboxKeys.LoadAsync(fleet, vaultbox.Id, _work);
        Assert.Equal(2, keys.KeyFiles.Count);
        Assert.Equal(1, (await keys.PrintAsync(await fleet.ContentAsync(vaultbox.Id, before))).Split("d.ktri:").Length - 1);
        var stored = await fleet.ContentAsync(vaultbox.Id, after);
        Assert.Equal(2, (await keys.PrintAsync(stored)).Split("d.ktri:").Length - 1);
        foreach (var key in keys.KeyFiles)
        {
            Assert.Equal(raw, await keys.DecryptAsync(stored, key));
        }
    }

    [Fact]
    public async Task An_already_encrypted_message_is_stored_byte_for_byte_and_a_mislabelled_one_is_encrypted()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("preenc");
        var keys = await VaultboxKeys.LoadAsync(fleet, vaultbox.Id, _work);
        var plain = Path.Combine(keys.Directory, "inner.eml");
        await File.WriteAllBytesAsync(plain, Corpus.Named("intake/plain-crlf.eml"));
        var smime = await Tools.OpensslAsync("cms", "-encrypt", "-aes256", "-in", plain, "-from", "alice@sender.example",
            "-to", vaultbox.Address, "-subject", "encrypted by the sender", keys.CertificatesFile);
        var encrypted = smime.Output;
        Assert.Contains("application/pkcs7-mime", Encoding.ASCII.GetString(encrypted));

        var uid = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(encrypted, vaultbox.Address)).ResponseAsync).Results).Uid;
        Assert.Equal(encrypted, await fleet.ContentAsync(vaultbox.Id, uid));

        var fake = Encoding.ASCII.GetBytes(
            "From: mallory@sender.example\r\nSubject: not really encrypted\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n" +
            "Content-Transfer-Encoding: base64\r\n\r\nVGhpcyBpcyBwbGFpbiB0ZXh0Lg==\r\n");
        var fakeUid = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(fake, vaultbox.Address)).ResponseAsync).Results).Uid;
        var stored = await fleet.ContentAsync(vaultbox.Id, fakeUid);
        Assert.NotEqual(fake, stored);
        Assert.Contains("X-Encimap-Encrypted: at-rest", Encoding.ASCII.GetString(stored));
        Assert.Equal(fake, await keys.DecryptAsync(stored, keys.KeyFiles[0]));
    }

    [Fact]
    public async Task A_message_of_exactly_the_limit_is_stored_and_decrypts()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("limit");
        var keys = await VaultboxKeys.LoadAsync(fleet, vaultbox.Id, _work);
        var head = Corpus.Unique("limit", 0);
        var raw = new byte[IntakeFixture.MaxMessageBytes];
        head.CopyTo(raw, 0);
        for (var i = head.Length; i < raw.Length; i++)
        {
            raw[i] = (i % 78) switch { 76 => (byte)'\r', 77 => (byte)'\n', _ => (byte)('a' + (i % 26)) };
        }

        using var http = new HttpClient();
        using var content = new ByteArrayContent(raw);
        using var response = await http.PostAsync($"http://127.0.0.1:{fleet.IntakeHttpPort}/intake/{vaultbox.Id}", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var uid = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("uid").GetUInt32();
        Assert.Equal(raw, await keys.DecryptAsync(await fleet.ContentAsync(vaultbox.Id, uid), keys.KeyFiles[0]));
    }

    private static async Task AssertDecryptsAsync(string name, byte[] raw, byte[] stored, VaultboxKeys keys, string received, string? sender, bool hideSubject = false)
    {
        var plain = await keys.DecryptAsync(stored, keys.KeyFiles[0]);
        Assert.True(raw.AsSpan().SequenceEqual(plain), $"{name}: the decrypted message differs from the original ({plain.Length} vs {raw.Length} bytes)");
        StoredMessageAssert.OuterHeader(raw, stored, hideSubject, received, sender);
    }

    // The DER inside a stored message: its body, base64 in CRLF lines.
    private static byte[] SmimeBody(byte[] stored)
    {
        var text = Encoding.ASCII.GetString(stored);
        return Convert.FromBase64String(text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }

    // EnvelopedCms does not show the IV after Decode: ContentInfo → [0] → EnvelopedData →
    // EncryptedContentInfo → contentEncryptionAlgorithm → parameters (RFC 5652 §6.1, RFC 3565 §4.1).
    private static byte[] ContentEncryptionIv(byte[] der)
    {
        // BER: the EnvelopedData is written streaming, with indefinite lengths (RFC 5652 allows BER).
        var contentInfo = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
        contentInfo.ReadObjectIdentifier();
        var envelopedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
        envelopedData.ReadInteger();
        envelopedData.ReadSetOf();
        var encryptedContentInfo = envelopedData.ReadSequence();
        encryptedContentInfo.ReadObjectIdentifier();
        var algorithm = encryptedContentInfo.ReadSequence();
        algorithm.ReadObjectIdentifier();
        return algorithm.ReadOctetString();
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}

using System.Text;
using Encimap.Mime;

namespace Encimap.Intake.Tests;

/// <summary>
/// Bcc is never stored in clear, however the message tries: a Bcc line hidden behind a bare CR in
/// a field the outer header copies, or in the header of a message that arrives already encrypted
/// (stored as it came otherwise).
/// </summary>
[Collection(IntakeFleetCollection.Name)]
public sealed class BccTests(IntakeFixture fleet) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("encimap-intake-bcc-").FullName;

    [Fact]
    public async Task A_bare_cr_in_a_copied_field_cannot_start_a_bcc_line_or_end_the_outer_header()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("barecr");
        var keys = await VaultboxKeys.LoadAsync(fleet, vaultbox.Id, _work);
        // A reader that takes a bare CR for a line break sees a Bcc field after To, and an empty
        // line (the end of the header) after Subject.
        var raw = Encoding.ASCII.GetBytes(
            "From: Alice <alice@sender.example>\r\n" +
            $"To: Cat <{vaultbox.Address}>\rBcc: hidden-one@watch.example\r\n" +
            "Subject: bare CR\r\r\n" +
            "Cc: Carol <carol@sender.example>\r\n" +
            "Message-ID: <barecr.1@sender.example>\r\n" +
            "Date: Tue, 17 Nov 2026 10:00:00 +0000\r\n" +
            "\r\n" +
            "body\r\n");
        var uid = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address))).Results).Uid;
        var stored = await fleet.ContentAsync(vaultbox.Id, uid);
        var text = Encoding.ASCII.GetString(stored);

        Assert.DoesNotContain("hidden-one", text);
        var outer = MessageReader.ReadHeaders(stored);
        Assert.Null(RawHeader.First(outer, "Bcc"));
        Assert.Equal($"Cat <{vaultbox.Address}>", RawHeader.Value(outer, "To"));
        Assert.Equal("bare CR", RawHeader.Value(outer, "Subject"));
        Assert.Equal("Carol <carol@sender.example>", RawHeader.Value(outer, "Cc"));
        Assert.StartsWith("application/pkcs7-mime", RawHeader.Value(outer, "Content-Type"));
        Assert.DoesNotMatch("\r(?!\n)|(?<!\r)\n", text);
        var envelope = Encoding.UTF8.GetString(await fleet.ScalarAsync<byte[]>("SELECT imap_envelope FROM messages WHERE vaultbox_id = $1", vaultbox.Id));
        Assert.DoesNotContain("hidden-one", envelope);

        // Inside the envelope the original is whole.
        Assert.Equal(raw, await keys.DecryptAsync(stored, keys.KeyFiles[0]));
    }

    [Fact]
    public async Task An_already_encrypted_message_is_stored_as_it_came_without_its_bcc_fields()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("prebcc");
        var keys = await VaultboxKeys.LoadAsync(fleet, vaultbox.Id, _work);
        var plain = Path.Combine(keys.Directory, "inner.eml");
        await File.WriteAllBytesAsync(plain, Corpus.Named("intake/plain-crlf.eml"));
        var encrypted = Encoding.ASCII.GetString((await Tools.OpensslAsync("cms", "-encrypt", "-aes256", "-in", plain, "-from", "alice@sender.example",
            "-to", vaultbox.Address, "-subject", "encrypted by the sender", keys.CertificatesFile)).Output);

        // Bcc and Resent-Bcc, one of them folded and in another case, among the other fields.
        var eol = encrypted.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var firstLine = encrypted.IndexOf(eol, StringComparison.Ordinal) + eol.Length;
        var withBcc = encrypted[..firstLine] +
            $"Bcc: hidden-two@watch.example,{eol}\thidden-three@watch.example{eol}" +
            $"RESENT-BCC : hidden-four@watch.example{eol}" +
            encrypted[firstLine..];

        var uid = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(Encoding.ASCII.GetBytes(withBcc), vaultbox.Address))).Results).Uid;
        var stored = await fleet.ContentAsync(vaultbox.Id, uid);
        Assert.Equal(encrypted, Encoding.ASCII.GetString(stored));
        Assert.Equal(Corpus.Named("intake/plain-crlf.eml"), await keys.DecryptAsync(stored, keys.KeyFiles[0]));
        var envelope = Encoding.UTF8.GetString(await fleet.ScalarAsync<byte[]>("SELECT imap_envelope FROM messages WHERE vaultbox_id = $1", vaultbox.Id));
        Assert.DoesNotContain("hidden-", envelope);

        // A bare CR in its header: which fields it holds depends on the reader, so it is not
        // stored as it came but encrypted again like any other message.
        var ambiguous = Encoding.ASCII.GetBytes(encrypted[..firstLine] + $"X-Note: see\rBcc: hidden-five@watch.example{eol}" + encrypted[firstLine..]);
        var againUid = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(ambiguous, vaultbox.Address))).Results).Uid;
        var again = await fleet.ContentAsync(vaultbox.Id, againUid);
        Assert.DoesNotContain("hidden-five", Encoding.ASCII.GetString(again));
        Assert.Contains("X-Encimap-Encrypted: at-rest", Encoding.ASCII.GetString(again));
        Assert.Equal(ambiguous, await keys.DecryptAsync(again, keys.KeyFiles[0]));
    }

    [Fact]
    public async Task A_large_already_encrypted_message_is_stored_in_chunks_as_it_came_without_its_bcc_fields()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("prebig");
        var keys = await VaultboxKeys.LoadAsync(fleet, vaultbox.Id, _work);
        var inner = new StringBuilder("From: Alice <alice@sender.example>\r\nSubject: big\r\n\r\n");
        while (inner.Length < 2 * 1024 * 1024)
        {
            inner.Append(Convert.ToBase64String(Guid.NewGuid().ToByteArray())).Append("\r\n");
        }

        var plain = Path.Combine(keys.Directory, "big.eml");
        await File.WriteAllTextAsync(plain, inner.ToString());
        var encrypted = Encoding.ASCII.GetString((await Tools.OpensslAsync("cms", "-encrypt", "-aes256", "-in", plain, "-from", "alice@sender.example",
            "-to", vaultbox.Address, "-subject", "encrypted by the sender", keys.CertificatesFile)).Output);
        var eol = encrypted.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var firstLine = encrypted.IndexOf(eol, StringComparison.Ordinal) + eol.Length;
        var withBcc = encrypted[..firstLine] + $"Bcc: hidden-six@watch.example{eol}" + encrypted[firstLine..];

        var uid = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(Encoding.ASCII.GetBytes(withBcc), vaultbox.Address))).Results).Uid;
        var stored = await fleet.ContentAsync(vaultbox.Id, uid);
        Assert.Equal(encrypted, Encoding.ASCII.GetString(stored));
        Assert.Equal(Encoding.ASCII.GetBytes(inner.ToString()), await keys.DecryptAsync(stored, keys.KeyFiles[0]));

        // The header in content, the body as it came in raw chunks (migration 0019), never one datum.
        Assert.True(await fleet.ScalarAsync<bool>(
            """
            SELECT content_der IS NULL AND chunked_der_length IS NULL AND octet_length(content) < 4096
                   AND chunked_body_length = (SELECT sum(octet_length(c.data)) FROM message_chunks c WHERE c.message_id = m.id)
                   AND (SELECT count(*) FROM message_chunks c WHERE c.message_id = m.id) >= 2
            FROM messages m WHERE vaultbox_id = $1
            """, vaultbox.Id));
        // BODYSTRUCTURE, computed from the header and the body's length, is the whole message's.
        // (Both through jsonb, which orders an object's keys its own way.)
        Assert.Equal(
            await fleet.ScalarAsync<string>("SELECT $1::jsonb::text", MimeJson.Serialize(ImapMetadata.Read(stored).BodyStructure)),
            await fleet.ScalarAsync<string>("SELECT body_structure::text FROM messages WHERE vaultbox_id = $1", vaultbox.Id));
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}

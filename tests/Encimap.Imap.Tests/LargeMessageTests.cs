using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Encimap.Testing;

namespace Encimap.Imap.Tests;

/// <summary>
/// A message large enough that its DER is stored in several chunks (message_chunks), through
/// Python's imaplib: FETCH of the whole and of a range across a chunk boundary, COPY, MOVE and
/// EXPUNGE; and the same message stored the earlier way (content_der) fetches the same bytes.
/// </summary>
[Collection(ImapFleetCollection.Name)]
public sealed class LargeMessageTests(ImapFixture fleet)
{
    // Served bytes per full chunk: the intake's chunk of 18,396 base64 lines of 57 bytes, 78 bytes a line.
    private const int ServedChunkLength = 18_396 * 78;

    // Bytes per full chunk of a body stored as it came: the intake's chunk size, served as it is.
    private const int BodyChunkLength = 57 * 18_396;

    private const string ChunksOfAccount =
        "SELECT count(*) FROM message_chunks c JOIN messages m ON m.id = c.message_id WHERE m.vaultbox_id = $1";

    [Fact]
    public async Task A_message_stored_in_chunks_is_fetched_copied_moved_and_expunged_whole()
    {
        var account = await fleet.CreateAccountAsync("large");
        var original = LargeMessage(5 * 1024 * 1024);
        Assert.Equal(1u, await fleet.DeliverAsync(account, original));
        var chunks = await fleet.ScalarAsync<long>(ChunksOfAccount, account.Id);
        Assert.True(chunks >= 5, $"{chunks} chunks");
        var stored = await fleet.ScalarAsync<byte[]>("SELECT message_bytes(m) FROM messages m WHERE m.vaultbox_id = $1", account.Id);
        var header = await fleet.ScalarAsync<int>("SELECT octet_length(content) FROM messages WHERE vaultbox_id = $1", account.Id);

        // The same message stored as header and DER in one column, as before chunks, in Drafts.
        await fleet.ExecuteAsync(
            """
            WITH target AS (
                UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
                WHERE vaultbox_id = $1 AND name = 'Drafts' RETURNING id, uid_next - 1 AS uid, highest_modseq)
            INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, size_bytes, content, content_der)
            SELECT m.vaultbox_id, t.id, t.uid, t.highest_modseq, m.size_bytes, m.content, message_der(m)
            FROM messages m, target t WHERE m.vaultbox_id = $1
            """, account.Id);

        // A range from 1000 bytes before the second chunk's first line to 2000 bytes into it.
        var start = header + ServedChunkLength - 1000;
        using var scratch = new ScratchDirectory("imaplib-large-");
        var outdir = scratch.Path;
        var script = Path.Combine(AppContext.BaseDirectory, "scripts", "imaplib_large.py");
        var run = await Tools.RunAsync("python3", [script, "127.0.0.1", fleet.ImapsPort.ToString(), account.Username, account.Password, outdir, start.ToString(), "3000"],
            timeout: TimeSpan.FromMinutes(3));
        var result = JsonDocument.Parse(run.Output).RootElement;

        Assert.Contains($"RFC822.SIZE {stored.Length}", result.GetProperty("inbox").GetString());
        Assert.Equal(stored, await File.ReadAllBytesAsync(Path.Combine(outdir, "inbox.eml")));
        Assert.Equal(stored.AsSpan(start, 3000).ToArray(), await File.ReadAllBytesAsync(Path.Combine(outdir, "partial.eml")));
        // The earlier way of storing serves the same bytes.
        Assert.Equal(stored, await File.ReadAllBytesAsync(Path.Combine(outdir, "drafts.eml")));
        Assert.Equal("OK", result.GetProperty("copy").GetString());
        Assert.Equal(stored, await File.ReadAllBytesAsync(Path.Combine(outdir, "archive.eml")));
        Assert.Equal("OK", result.GetProperty("move").GetString());
        Assert.Equal(stored, await File.ReadAllBytesAsync(Path.Combine(outdir, "trash.eml")));
        Decrypted.AssertDecryptsTo(original, await fleet.DecryptAsync(account, await File.ReadAllBytesAsync(Path.Combine(outdir, "trash.eml"))));

        // The COPY copied the chunks on the server; the MOVE kept them with their message.
        Assert.Equal(2 * chunks, await fleet.ScalarAsync<long>(ChunksOfAccount, account.Id));
        Assert.Equal(chunks, await fleet.ScalarAsync<long>(
            "SELECT count(*) FROM message_chunks c JOIN messages m ON m.id = c.message_id JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'Trash'",
            account.Id));

        // EXPUNGE takes the chunks with the message.
        var expunged = await Tools.RunAsync("python3", [script, "127.0.0.1", fleet.ImapsPort.ToString(), account.Username, account.Password, "expunge"]);
        Assert.Equal("OK", JsonDocument.Parse(expunged.Output).RootElement.GetProperty("expunge").GetString());
        Assert.Equal(chunks, await fleet.ScalarAsync<long>(ChunksOfAccount, account.Id));
        Assert.Equal(0L, await fleet.ScalarAsync<long>("SELECT count(*) FROM message_chunks c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = c.message_id)"));

    }

    [Fact]
    public async Task A_large_already_encrypted_message_is_stored_in_chunks_as_it_came_and_served_byte_for_byte()
    {
        var account = await fleet.CreateAccountAsync("preenc");
        using var scratch = new ScratchDirectory("imaplib-preenc-");
        var outdir = scratch.Path;
        // Encrypted by the sender to the vaultbox's certificate: stored as it came (migration 0019).
        var original = LargeMessage(3 * 1024 * 1024);
        var inner = Path.Combine(outdir, "inner.eml");
        var smime = Path.Combine(outdir, "smime.eml");
        await File.WriteAllTextAsync(inner, original);
        await Tools.RunAsync("openssl", ["cms", "-encrypt", "-aes256", "-in", inner, "-out", smime, "-from", "alice@elsewhere.example",
            "-to", account.Address, "-subject", "encrypted by the sender", account.CertificatePemPath]);
        var encrypted = await File.ReadAllBytesAsync(smime);
        Assert.Equal(1u, await fleet.DeliverAsync(account, Encoding.ASCII.GetString(encrypted)));

        // Its header in content, its body as raw chunks: never one datum.
        var chunks = await fleet.ScalarAsync<long>(ChunksOfAccount, account.Id);
        Assert.True(chunks >= 4, $"{chunks} chunks");
        var header = await fleet.ScalarAsync<int>(
            "SELECT octet_length(content) FROM messages WHERE vaultbox_id = $1 AND content_der IS NULL AND chunked_der_length IS NULL AND chunked_body_length = size_bytes - octet_length(content)",
            account.Id);
        Assert.Equal(encrypted, await fleet.ScalarAsync<byte[]>("SELECT message_bytes(m) FROM messages m WHERE m.vaultbox_id = $1", account.Id));
        Assert.Equal((byte)'\n', encrypted[header - 1]);

        // The same delivery again is a duplicate: its chunks were sent and dropped.
        Assert.Equal(1u, await fleet.DeliverAsync(account, Encoding.ASCII.GetString(encrypted)));
        Assert.Equal(chunks, await fleet.ScalarAsync<long>(ChunksOfAccount, account.Id));

        // The same message stored whole in content, as before 0019, in Drafts.
        await fleet.ExecuteAsync(
            """
            WITH target AS (
                UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
                WHERE vaultbox_id = $1 AND name = 'Drafts' RETURNING id, uid_next - 1 AS uid, highest_modseq)
            INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, size_bytes, content)
            SELECT m.vaultbox_id, t.id, t.uid, t.highest_modseq, m.size_bytes, message_bytes(m)
            FROM messages m, target t WHERE m.vaultbox_id = $1
            """, account.Id);

        // A range from 1000 bytes before the second chunk to 2000 bytes into it.
        var start = header + BodyChunkLength - 1000;
        var script = Path.Combine(AppContext.BaseDirectory, "scripts", "imaplib_large.py");
        var run = await Tools.RunAsync("python3", [script, "127.0.0.1", fleet.ImapsPort.ToString(), account.Username, account.Password, outdir, start.ToString(), "3000"],
            timeout: TimeSpan.FromMinutes(3));
        var result = JsonDocument.Parse(run.Output).RootElement;

        Assert.Contains($"RFC822.SIZE {encrypted.Length}", result.GetProperty("inbox").GetString());
        Assert.Equal(encrypted, await File.ReadAllBytesAsync(Path.Combine(outdir, "inbox.eml")));
        Assert.Equal(encrypted.AsSpan(start, 3000).ToArray(), await File.ReadAllBytesAsync(Path.Combine(outdir, "partial.eml")));
        Assert.Equal(encrypted, await File.ReadAllBytesAsync(Path.Combine(outdir, "drafts.eml")));
        Assert.Equal(encrypted, await File.ReadAllBytesAsync(Path.Combine(outdir, "archive.eml")));
        Assert.Equal(encrypted, await File.ReadAllBytesAsync(Path.Combine(outdir, "trash.eml")));
        // The owner opens it with the key of the vaultbox's PKCS#12.
        Decrypted.AssertDecryptsTo(original, await fleet.DecryptAsync(account, await File.ReadAllBytesAsync(Path.Combine(outdir, "trash.eml"))));

        // COPY copied the chunks, MOVE kept them, EXPUNGE takes them: none left without a message.
        Assert.Equal(2 * chunks, await fleet.ScalarAsync<long>(ChunksOfAccount, account.Id));
        var expunged = await Tools.RunAsync("python3", [script, "127.0.0.1", fleet.ImapsPort.ToString(), account.Username, account.Password, "expunge"]);
        Assert.Equal("OK", JsonDocument.Parse(expunged.Output).RootElement.GetProperty("expunge").GetString());
        Assert.Equal(chunks, await fleet.ScalarAsync<long>(ChunksOfAccount, account.Id));
        Assert.Equal(0L, await fleet.ScalarAsync<long>("SELECT count(*) FROM message_chunks c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = c.message_id)"));
    }

    /// <summary>A text message of about <paramref name="size"/> bytes: random base64 in 76-character lines.</summary>
    private static string LargeMessage(int size)
    {
        var text = new StringBuilder(size + 1000);
        text.Append("From: Big <big@example.com>\r\nTo: owner@example.com\r\nSubject: a large one\r\n")
            .Append("Date: Mon, 4 Mar 2024 10:00:00 +0000\r\nMessage-ID: <large@example.com>\r\nMIME-Version: 1.0\r\n")
            .Append("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        var line = new byte[57];
        while (text.Length < size)
        {
            RandomNumberGenerator.Fill(line);
            text.Append(Convert.ToBase64String(line)).Append("\r\n");
        }

        return text.ToString();
    }
}

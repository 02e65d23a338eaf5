using System.Text;
using System.Text.Json;
using Encimap.Testing;

namespace Encimap.Imap.Tests;

/// <summary>Python's imaplib, a client no one here wrote, through a whole session over TLS.</summary>
[Collection(ImapFleetCollection.Name)]
public sealed class ImaplibTests(ImapFixture fleet)
{
    private static string Message(string subject, string from, string id, string body) =>
        $"From: {from}\r\nTo: owner@example.com\r\nSubject: {subject}\r\nDate: Mon, 4 Mar 2024 10:00:00 +0000\r\nMessage-ID: <{id}@example.com>\r\n" +
        $"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n";

    [Fact]
    public async Task A_whole_session_with_imaplib()
    {
        var account = await fleet.CreateAccountAsync("py");
        string[] originals =
        [
            Message("first message", "Alice <alice@example.com>", "first", "Hello from Alice.\r\nSecond line."),
            Message("second message", "Bob <bob@example.com>", "second", "Bonjour, deuxième message."),
            Message("third message", "Carol <carol@example.com>", "third", new string('x', 3000)),
        ];
        foreach (var original in originals)
        {
            await fleet.DeliverAsync(account, original);
        }

        var stored = new List<byte[]>();
        for (var uid = 1L; uid <= 3; uid++)
        {
            stored.Add(await fleet.ScalarAsync<byte[]>(
                "SELECT message_bytes(m) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'INBOX' AND m.uid = $2", account.Id, uid));
        }

        using var scratch = new ScratchDirectory("imaplib-");
        var outdir = scratch.Path;
        var appended = Message("appended draft", "Owner <owner@example.com>", "draft", "A draft written by the client.");
        await File.WriteAllTextAsync(Path.Combine(outdir, "append.eml"), appended);
        var script = Path.Combine(AppContext.BaseDirectory, "scripts", "imaplib_session.py");
        var run = Tools.RunAsync("python3", [script, "127.0.0.1", fleet.ImapsPort.ToString(), account.Username, account.Password, outdir], timeout: TimeSpan.FromMinutes(2));

        // Deliver while the client idles.
        var marker = Path.Combine(outdir, "idle-started");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(marker) && !run.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(50);
        }

        Assert.True(File.Exists(marker), run.IsCompleted ? (await run).Output + (await run).Error : "IDLE never started");
        await Task.Delay(300);
        await fleet.DeliverAsync(account, Message("during idle", "Dave <dave@example.com>", "idle", "Arrived while idling."));
        var committed = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var result = JsonDocument.Parse((await run).Output).RootElement;

        Assert.Equal("OK", result.GetProperty("login").GetString());
        Assert.Contains("IDLE", result.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        var list = string.Join("\n", result.GetProperty("list").EnumerateArray().Select(e => e.GetString()));
        foreach (var expected in new[] { "(\\HasNoChildren) \"/\" INBOX", "\\Sent) \"/\" Sent", "\\Drafts) \"/\" Drafts", "\\Trash) \"/\" Trash", "\\Junk) \"/\" Junk", "\\Archive) \"/\" Archive" })
        {
            Assert.Contains(expected, list);
        }

        Assert.Equal(3, result.GetProperty("exists").GetInt32());
        var meta = string.Join("\n", result.GetProperty("meta").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("ENVELOPE (\"Mon, 4 Mar 2024 10:00:00 +0000\" \"first message\" ((\"Alice\" NIL \"alice\" \"example.com\"))", meta);
        Assert.Contains("BODYSTRUCTURE (\"APPLICATION\" \"PKCS7-MIME\"", meta);
        Assert.Contains("BINARY.SIZE[1] ", meta);
        Assert.Contains("INTERNALDATE \"", meta);
        Assert.Contains("MODSEQ (", meta);

        // Every message decrypts, with the owner's key, to what was delivered.
        var uids = result.GetProperty("uids").EnumerateArray().Select(u => u.GetString()!).ToArray();
        Assert.Equal(["1", "2", "3"], uids);
        for (var i = 0; i < 3; i++)
        {
            var fetched = await File.ReadAllBytesAsync(Path.Combine(outdir, $"inbox-{uids[i]}.eml"));
            Assert.Equal(stored[i], fetched);
            Decrypted.AssertDecryptsTo(originals[i], await fleet.DecryptAsync(account, fetched));
        }

        Decrypted.AssertDecryptsTo(originals[0], await fleet.DecryptAsync(account, await File.ReadAllBytesAsync(Path.Combine(outdir, "rfc822.eml"))));

        var sections = result.GetProperty("sections");
        Assert.StartsWith("1 (UID 1 BODY[HEADER] {", sections.GetProperty("BODY.PEEK[HEADER]").GetProperty("meta").GetString());
        Assert.StartsWith("1 (UID 1 BODY[HEADER.FIELDS (FROM SUBJECT)] {", sections.GetProperty("BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)]").GetProperty("meta").GetString());
        Assert.StartsWith("From: Alice", sections.GetProperty("BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)]").GetProperty("start").GetString());
        Assert.Equal(100, sections.GetProperty("BODY.PEEK[]<0.100>").GetProperty("length").GetInt32());
        Assert.StartsWith("1 (UID 1 BODY[]<0> {100}", sections.GetProperty("BODY.PEEK[]<0.100>").GetProperty("meta").GetString());
        Assert.True(sections.GetProperty("BODY.PEEK[TEXT]").GetProperty("length").GetInt32() > 500);
        Assert.Equal(sections.GetProperty("BODY.PEEK[TEXT]").GetProperty("length").GetInt32(), sections.GetProperty("BODY.PEEK[1]").GetProperty("length").GetInt32());
        // A single-part message: part 1 is its body, and 1.MIME its header.
        Assert.Equal(sections.GetProperty("BODY.PEEK[HEADER]").GetProperty("length").GetInt32(), sections.GetProperty("BODY.PEEK[1.MIME]").GetProperty("length").GetInt32());
        Assert.True(sections.GetProperty("BINARY.PEEK[1]").GetProperty("length").GetInt32() > 300);
        Assert.DoesNotContain("\\Seen", result.GetProperty("seen_after_peek")[0].GetString());
        Assert.Contains("\\Seen", result.GetProperty("seen_after_rfc822")[0].GetString());

        var search = result.GetProperty("search");
        string[] Search(string criteria) => search.GetProperty(criteria).EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(["1", "2", "3"], Search("ALL"));
        Assert.Equal(["2"], Search("SUBJECT \"second\""));
        Assert.Equal(["1"], Search("FROM \"alice\""));
        Assert.Empty(Search("TO \"nobody-here\""));
        Assert.Equal(["3"], Search("HEADER Message-ID \"third\""));
        Assert.Equal(["1", "2", "3"], Search("LARGER 100"));
        Assert.Empty(Search("SMALLER 100"));
        Assert.Equal(["1", "2", "3"], Search("SINCE 1-Jan-2020"));
        Assert.Empty(Search("BEFORE 1-Jan-2020"));
        Assert.Equal(["1", "2", "3"], Search("SENTSINCE 1-Jan-2024"));
        Assert.Equal(["1"], Search("TEXT \"alice\""));
        Assert.Equal(["1", "2"], Search("1:2"));
        Assert.Empty(Search("DELETED"));
        // The script's SELECT was the first: the three messages are \Recent in its session, and
        // the first one was read (RFC822) before the searches.
        Assert.Empty(Search("OLD"));
        Assert.Equal(["2", "3"], Search("NEW"));
        Assert.Equal(Search("SEEN").Concat(Search("UNSEEN")).Order(), Search("ALL"));

        Assert.Contains("\\Flagged", result.GetProperty("store")[0].GetString());
        Assert.Contains("\\Flagged", result.GetProperty("flags_after_store")[0].GetString());
        Assert.DoesNotContain("$Work", result.GetProperty("flags_after_store")[0].GetString());
        Assert.Equal("OK", result.GetProperty("copy")[0].GetString());
        Assert.Matches(@"^\d+ 2 1$", result.GetProperty("copy")[1][0].GetString());
        Assert.Equal("OK", result.GetProperty("move")[0].GetString());
        Assert.Equal(["2"], result.GetProperty("uids_after").EnumerateArray().Select(e => e.GetString()!).ToArray());

        Assert.Equal("OK", result.GetProperty("append")[0].GetString());
        Assert.Equal("NO", result.GetProperty("append_missing")[0].GetString());
        Assert.Contains("[TRYCREATE]", result.GetProperty("append_missing")[1][0].GetString());
        var appendedMeta = result.GetProperty("appended_meta").GetString()!;
        Assert.Contains("\\Draft", appendedMeta);
        Assert.Contains("\\Seen", appendedMeta);
        Assert.Contains("INTERNALDATE \"06-May-2021", appendedMeta);
        var appendedStored = await File.ReadAllBytesAsync(Path.Combine(outdir, "appended.eml"));
        Assert.Contains("application/pkcs7-mime", Encoding.ASCII.GetString(appendedStored), StringComparison.OrdinalIgnoreCase);
        Decrypted.AssertDecryptsTo(appended, await fleet.DecryptAsync(account, appendedStored));

        Assert.Equal("+ idling", result.GetProperty("idle_continuation").GetString());
        Assert.Matches(@"^\* \d+ EXISTS$", result.GetProperty("idle_update").GetString());
        // The intake notifies at commit, before its reply reaches the test: the update may even come first.
        var latency = result.GetProperty("idle_update_time").GetDouble() - committed;
        Assert.True(latency < 1.0, $"the delivery appeared {latency:F3} s after its commit");
        Assert.Equal("BYE", result.GetProperty("logout").GetString());
        Directory.Delete(outdir, recursive: true);
    }
}

/// <summary>Checks on decrypted messages.</summary>
public static class Decrypted
{
    /// <summary>The decrypted message is the delivered one (after the trace fields the intake prepends).</summary>
    public static void AssertDecryptsTo(string original, byte[] decrypted)
    {
        var text = Encoding.UTF8.GetString(decrypted).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.EndsWith(original.Replace("\r\n", "\n", StringComparison.Ordinal), text);
    }
}

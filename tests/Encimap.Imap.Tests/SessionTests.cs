using System.Diagnostics;

namespace Encimap.Imap.Tests;

/// <summary>Sessions against the real service: instances sharing a vaultbox, isolation, limits.</summary>
[Collection(ImapFleetCollection.Name)]
public sealed class SessionTests(ImapFixture fleet)
{
    private static string Message(string subject) =>
        $"From: a@example.com\r\nTo: b@example.com\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@example.com>\r\n\r\nbody\r\n";

    [Fact]
    public async Task Changes_on_one_instance_reach_an_idler_on_another()
    {
        var account = await fleet.CreateAccountAsync("two");
        await fleet.DeliverAsync(account, Message("one"));
        await fleet.DeliverAsync(account, Message("two"));
        var secondPort = fleet.SecondImapsPort;

        await using var idler = await RawImapClient.LoginAsync(secondPort, account);
        await using var writer = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        Assert.Contains("* 2 EXISTS", (await idler.CommandAsync("SELECT INBOX")).Untagged);
        await writer.CommandAsync("SELECT INBOX");
        await idler.SendAsync("i1 IDLE");
        Assert.Equal("+ idling", await idler.ReadLineAsync());

        // A flag change on the other instance.
        var watch = Stopwatch.StartNew();
        await writer.CommandAsync("UID STORE 1 +FLAGS.SILENT (\\Flagged)");
        // The idler selected first: the two messages are \Recent in its session.
        Assert.Equal("* 1 FETCH (UID 1 FLAGS (\\Recent \\Flagged))", await idler.ReadLineAsync(TimeSpan.FromSeconds(1)));

        // An expunge on the other instance.
        await writer.CommandAsync("UID STORE 2 +FLAGS.SILENT (\\Deleted)");
        Assert.StartsWith("* 2 FETCH (UID 2 FLAGS (\\Recent \\Deleted))", await idler.ReadLineAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(["* 2 EXPUNGE"], (await writer.CommandAsync("EXPUNGE")).Untagged);
        Assert.Equal("* 2 EXPUNGE", await idler.ReadLineAsync(TimeSpan.FromSeconds(1)));

        // A delivery.
        await fleet.DeliverAsync(account, Message("three"));
        Assert.Equal("* 2 EXISTS", await idler.ReadLineAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal("* 2 RECENT", await idler.ReadLineAsync(TimeSpan.FromSeconds(1)));
        await idler.SendAsync("DONE");
        Assert.Equal("i1 OK IDLE terminated", await idler.ReadLineAsync());
        Assert.Contains("* 2 FETCH (UID 3 FLAGS (\\Recent))", (await idler.CommandAsync("FETCH 1:* (UID FLAGS)")).Untagged);
    }

    [Fact]
    public async Task Only_the_vaultbox_of_the_credentials_is_visible()
    {
        var mine = await fleet.CreateAccountAsync("mine");
        var theirs = await fleet.CreateAccountAsync("theirs");
        await fleet.DeliverAsync(theirs, Message("secret"));
        await using var client = await RawImapClient.LoginAsync(fleet.ImapsPort, mine);
        var select = await client.CommandAsync("SELECT INBOX");
        Assert.Contains("* 0 EXISTS", select.Untagged);
        var list = await client.CommandAsync("LIST \"\" *");
        Assert.Equal(6, list.Untagged.Count);
        Assert.Empty((await client.CommandAsync("UID FETCH 1 (BODY[])")).Untagged);
        Assert.Empty((await client.CommandAsync("UID FETCH 1:* (FLAGS)")).Untagged);
        Assert.StartsWith("NO [ALREADYEXISTS]", (await client.CommandAsync("CREATE Sent")).Status);
        Assert.StartsWith("OK", (await client.CommandAsync("CREATE Projects/2024")).Status);
        Assert.StartsWith("OK", (await client.CommandAsync("RENAME Projects/2024 Projects/2025")).Status);
        Assert.Contains("* STATUS Projects/2025 (MESSAGES 0)", (await client.CommandAsync("STATUS Projects/2025 (MESSAGES)")).Untagged);
        Assert.StartsWith("NO [CANNOT]", (await client.CommandAsync("DELETE Trash")).Status);
        Assert.StartsWith("OK", (await client.CommandAsync("DELETE Projects/2025")).Status);
    }

    [Fact]
    public async Task Condstore_and_uidplus_against_postgres()
    {
        var account = await fleet.CreateAccountAsync("cond");
        await fleet.DeliverAsync(account, Message("a"));
        await fleet.DeliverAsync(account, Message("b"));
        await using var client = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        var select = await client.CommandAsync("SELECT INBOX (CONDSTORE)");
        var highest = ulong.Parse(select.Untagged.Single(l => l.StartsWith("* OK [HIGHESTMODSEQ", StringComparison.Ordinal)).Split(' ', ']')[3]);
        var store = await client.CommandAsync($"UID STORE 1:2 (UNCHANGEDSINCE {highest}) +FLAGS.SILENT (\\Seen)");
        Assert.Equal("OK STORE completed", store.Status);
        Assert.Equal(2, store.Untagged.Count(l => l.Contains("MODSEQ (", StringComparison.Ordinal)));
        var conflict = await client.CommandAsync($"UID STORE 1 (UNCHANGEDSINCE {highest}) -FLAGS (\\Seen)");
        Assert.Equal("OK [MODIFIED 1] STORE completed", conflict.Status);
        var changed = await client.CommandAsync($"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {highest})");
        Assert.Equal(2, changed.Untagged.Count);
        Assert.Contains("* ESEARCH (TAG \"t", (await client.CommandAsync("UID SEARCH RETURN (MIN MAX COUNT) SEEN")).Untagged.Single());
        Assert.StartsWith("OK [COPYUID", (await client.CommandAsync("UID COPY 1:2 Archive")).Status);
        await client.CommandAsync("UID STORE 2 +FLAGS.SILENT (\\Deleted)");
        var expunge = await client.CommandAsync("UID EXPUNGE 1");
        Assert.Empty(expunge.Untagged);
        Assert.Equal(["* 2 EXPUNGE"], (await client.CommandAsync("UID EXPUNGE 1:2")).Untagged);
        Assert.Contains("* STATUS Archive (MESSAGES 2 UNSEEN 0)", (await client.CommandAsync("STATUS Archive (MESSAGES UNSEEN)")).Untagged);
    }

    [Fact]
    public async Task Envelope_and_bodystructure_stored_in_wire_form_answer_as_the_json_fallback_does()
    {
        var account = await fleet.CreateAccountAsync("wire");
        await fleet.DeliverAsync(account,
            "From: \"O'Brien, \\\"Pat\\\"\" <pat@example.com>\r\nTo: b@example.com, c@example.com\r\nCc: d@example.com\r\n" +
            "Subject: Grüße — 8-bit\r\nMessage-ID: <wire@example.com>\r\nIn-Reply-To: <earlier@example.com>\r\n\r\nbody\r\n");
        await using var client = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        await client.CommandAsync("SELECT INBOX");
        Assert.StartsWith("OK [COPYUID", (await client.CommandAsync("UID COPY 1 Archive")).Status);
        const string fetch = "UID FETCH 1 (ENVELOPE BODYSTRUCTURE BODY)";
        var fromWire = await client.CommandAsync(fetch);
        Assert.Equal("OK FETCH completed", fromWire.Status);
        Assert.Contains(fromWire.Untagged, l => l.Contains("<wire@example.com>", StringComparison.Ordinal));

        // Both copies carry the wire form; without it (messages stored before it existed) the
        // JSON columns answer the same, except that jsonb keeps object keys sorted, so the
        // Content-Type parameters may come in another order there.
        Assert.Equal(2L, await fleet.ScalarAsync<long>(
            "SELECT count(*) FROM messages WHERE vaultbox_id = $1 AND imap_envelope IS NOT NULL AND imap_body_structure IS NOT NULL", account.Id));
        await fleet.ScalarAsync<object>("UPDATE messages SET imap_envelope = NULL, imap_body_structure = NULL WHERE vaultbox_id = $1 RETURNING 1", account.Id);
        var fromJson = await client.CommandAsync(fetch);
        var wireText = string.Join("\n", fromWire.Untagged);
        var jsonText = string.Join("\n", fromJson.Untagged);
        Assert.Equal(wireText[..wireText.IndexOf(" BODYSTRUCTURE ", StringComparison.Ordinal)], jsonText[..jsonText.IndexOf(" BODYSTRUCTURE ", StringComparison.Ordinal)]);
        foreach (var text in new[] { wireText, jsonText })
        {
            Assert.Contains("BODYSTRUCTURE (\"APPLICATION\" \"PKCS7-MIME\" (", text);
            Assert.Contains("\"SMIME-TYPE\" \"enveloped-data\"", text);
            Assert.Contains("\"NAME\" \"smime.p7m\"", text);
            Assert.Contains("(\"ATTACHMENT\" (\"FILENAME\" \"smime.p7m\"))", text);
        }
    }
}

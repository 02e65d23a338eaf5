namespace Encimap.Imap.Tests;

/// <summary>RFC behaviour that depends on what PostgreSQL keeps, against the real service.</summary>
[Collection(ImapFleetCollection.Name)]
public sealed class ConformanceTests(ImapFixture fleet)
{
    private static string Message(string subject) =>
        $"From: a@example.com\r\nTo: b@example.com\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@example.com>\r\n\r\nbody\r\n";

    [Fact]
    public async Task A_missing_mailbox_is_nonexistent_and_a_subscription_outlives_its_mailbox()
    {
        var account = await fleet.CreateAccountAsync("subs");
        await using var client = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        Assert.Equal("NO [NONEXISTENT] No such mailbox", (await client.CommandAsync("SELECT ~foo")).Status);
        Assert.StartsWith("OK", (await client.CommandAsync("CREATE ~foo")).Status);
        Assert.StartsWith("OK [READ-WRITE]", (await client.CommandAsync("SELECT ~foo")).Status);
        Assert.StartsWith("OK", (await client.CommandAsync("UNSELECT")).Status);

        Assert.StartsWith("OK", (await client.CommandAsync("CREATE Projects/Old")).Status);
        Assert.StartsWith("OK", (await client.CommandAsync("SUBSCRIBE Projects/Old")).Status);
        Assert.StartsWith("OK", (await client.CommandAsync("DELETE Projects/Old")).Status);
        Assert.Empty((await client.CommandAsync("LIST \"\" Projects/*")).Untagged);
        Assert.Equal(["* LIST (\\NonExistent \\HasNoChildren \\Subscribed) \"/\" Projects/Old"], (await client.CommandAsync("LIST (SUBSCRIBED) \"\" Projects/*")).Untagged);
        Assert.Equal(["* LSUB (\\Noselect) \"/\" Projects/Old"], (await client.CommandAsync("LSUB \"\" Projects/*")).Untagged);
        Assert.Equal(["* LIST (\\NonExistent \\HasNoChildren) \"/\" Projects (\"CHILDINFO\" (\"SUBSCRIBED\"))"],
            (await client.CommandAsync("LIST (SUBSCRIBED RECURSIVEMATCH) \"\" Projects")).Untagged);
        Assert.StartsWith("BAD", (await client.CommandAsync("LIST (RECURSIVEMATCH) \"\" \"\"")).Status);

        // Created again, the mailbox takes its subscription back; unsubscribed, the name is gone.
        Assert.StartsWith("OK", (await client.CommandAsync("CREATE Projects/Old")).Status);
        Assert.Equal(["* LIST (\\HasNoChildren \\Subscribed) \"/\" Projects/Old"], (await client.CommandAsync("LIST (SUBSCRIBED) \"\" Projects/*")).Untagged);
        Assert.StartsWith("OK", (await client.CommandAsync("DELETE Projects/Old")).Status);
        Assert.StartsWith("OK", (await client.CommandAsync("UNSUBSCRIBE Projects/Old")).Status);
        Assert.Empty((await client.CommandAsync("LSUB \"\" Projects/*")).Untagged);
    }

    [Fact]
    public async Task A_new_keyword_is_announced_in_flags_before_a_fetch_shows_it()
    {
        var account = await fleet.CreateAccountAsync("keywords");
        await fleet.DeliverAsync(account, Message("one"));
        await using var writer = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        await using var reader = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        const string system = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
        Assert.Contains($"* FLAGS ({system})", (await writer.CommandAsync("SELECT INBOX")).Untagged);
        await reader.CommandAsync("SELECT INBOX");

        var store = await writer.CommandAsync("STORE 1 +FLAGS ($Label3)");
        Assert.Equal([$"* FLAGS ({system} $Label3)", $"* OK [PERMANENTFLAGS ({system} $Label3 \\*)] Flags permitted"], store.Untagged[..2]);
        Assert.Matches(@"^\* 1 FETCH \(FLAGS \(.*\$Label3.*\)\)$", store.Untagged[2]);

        var noop = await reader.CommandAsync("NOOP");
        Assert.Equal($"* FLAGS ({system} $Label3)", noop.Untagged[0]);
        Assert.Contains(noop.Untagged, l => l.StartsWith("* 1 FETCH (UID 1 FLAGS (", StringComparison.Ordinal) && l.Contains("$Label3", StringComparison.Ordinal));
        Assert.True(noop.Untagged.FindIndex(l => l.Contains("FETCH", StringComparison.Ordinal)) > 0);

        // Selected again, the mailbox lists the keyword from the start.
        Assert.Contains($"* FLAGS ({system} $Label3)", (await reader.CommandAsync("EXAMINE INBOX")).Untagged);
    }

    [Fact]
    public async Task Keywords_that_store_append_and_copy_add_are_listed_by_select_and_stay_listed()
    {
        var account = await fleet.CreateAccountAsync("keyword-list");
        await fleet.DeliverAsync(account, Message("one"));
        await using var client = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        const string system = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

        // APPEND (through the intake) and STORE each bring one.
        Assert.StartsWith("OK", (await client.CommandAsync($"APPEND INBOX ($Todo) {Literal(Message("two"))}")).Status);
        Assert.Contains($"* FLAGS ({system} $Todo)", (await client.CommandAsync("SELECT INBOX")).Untagged);
        Assert.StartsWith("OK", (await client.CommandAsync("STORE 1 +FLAGS ($Work)")).Status);

        // COPY brings both to another mailbox.
        Assert.StartsWith("OK", (await client.CommandAsync("CREATE Kept")).Status);
        Assert.StartsWith("OK", (await client.CommandAsync("COPY 1:2 Kept")).Status);
        Assert.Contains($"* FLAGS ({system} $Todo $Work)", (await client.CommandAsync("EXAMINE Kept")).Untagged);

        // Taken off every message, a keyword stays one the mailbox knows, as in Dovecot.
        Assert.StartsWith("OK", (await client.CommandAsync("SELECT INBOX")).Status);
        Assert.StartsWith("OK", (await client.CommandAsync("STORE 1:2 -FLAGS ($Todo $Work)")).Status);
        Assert.Contains($"* FLAGS ({system} $Todo $Work)", (await client.CommandAsync("SELECT INBOX")).Untagged);

        // A mailbox of its own knows none.
        Assert.StartsWith("OK", (await client.CommandAsync("CREATE Empty")).Status);
        Assert.Contains($"* FLAGS ({system})", (await client.CommandAsync("SELECT Empty")).Untagged);
    }

    [Fact]
    public async Task Each_message_is_recent_in_exactly_one_session()
    {
        var account = await fleet.CreateAccountAsync("recent");
        for (var i = 0; i < 3; i++)
        {
            await fleet.DeliverAsync(account, Message($"m{i}"));
        }

        // Five sessions select at once: the three messages are recent in one of them.
        var clients = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => RawImapClient.LoginAsync(fleet.ImapsPort, account)));
        try
        {
            var selects = await Task.WhenAll(clients.Select(c => c.CommandAsync("SELECT INBOX")));
            var recent = selects.Select(s => int.Parse(s.Untagged.Single(l => l.EndsWith(" RECENT", StringComparison.Ordinal)).Split(' ')[1])).ToList();
            Assert.Equal(3, recent.Sum());
            Assert.Single(recent, r => r > 0);
            var indexes = Enumerable.Range(0, clients.Length).OrderBy(i => recent[i] > 0 ? 0 : 1).ToList();
            var (first, other, examiner, bystander) = (clients[indexes[0]], clients[indexes[1]], clients[indexes[2]], clients[indexes[3]]);
            Assert.Contains("* 1 FETCH (FLAGS (\\Recent))", (await first.CommandAsync("FETCH 1 FLAGS")).Untagged);
            Assert.Contains("* 1 FETCH (FLAGS ())", (await other.CommandAsync("FETCH 1 FLAGS")).Untagged);
            Assert.Equal(["* SEARCH 1 2 3"], (await first.CommandAsync("SEARCH NEW")).Untagged);
            Assert.Equal(["* SEARCH"], (await other.CommandAsync("SEARCH RECENT")).Untagged);

            // A copy is recent in its new mailbox; STATUS counts what no session was told of.
            Assert.StartsWith("OK [COPYUID", (await other.CommandAsync("COPY 1:2 Archive")).Status);
            Assert.Contains("* STATUS Archive (RECENT 2)", (await other.CommandAsync("STATUS Archive (RECENT)")).Untagged);
            Assert.Contains("* 2 RECENT", (await examiner.CommandAsync("EXAMINE Archive")).Untagged);
            Assert.Contains("* 2 RECENT", (await other.CommandAsync("SELECT Archive")).Untagged);
            Assert.Contains("* STATUS Archive (RECENT 0)", (await first.CommandAsync("STATUS Archive (RECENT)")).Untagged);

            // A delivery while selected: recent in the session that is told of it first.
            await fleet.DeliverAsync(account, Message("m3"));
            Assert.Equal(["* 4 EXISTS", "* 4 RECENT"], (await first.CommandAsync("NOOP")).Untagged);
            Assert.Equal(["* 4 EXISTS", "* 0 RECENT"], (await bystander.CommandAsync("NOOP")).Untagged);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_mailbox_deleted_and_created_again_within_a_second_gets_a_larger_uidvalidity()
    {
        var account = await fleet.CreateAccountAsync("validity");
        await using var client = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        var seen = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("OK", (await client.CommandAsync("CREATE Work")).Status);
            var status = (await client.CommandAsync("STATUS Work (UIDVALIDITY)")).Untagged.Single();
            seen.Add(long.Parse(status["* STATUS Work (UIDVALIDITY ".Length..^1]));
            Assert.StartsWith("OK", (await client.CommandAsync("DELETE Work")).Status);
        }

        Assert.True(seen[0] < seen[1] && seen[1] < seen[2], string.Join(", ", seen));
        // Above the folders the vaultbox was created with, too.
        var archive = (await client.CommandAsync("STATUS Archive (UIDVALIDITY)")).Untagged.Single();
        Assert.True(seen[0] > long.Parse(archive["* STATUS Archive (UIDVALIDITY ".Length..^1]));
    }

    [Fact]
    public async Task The_first_condstore_enabling_command_answers_the_highestmodseq()
    {
        var account = await fleet.CreateAccountAsync("modseq");
        await fleet.DeliverAsync(account, Message("one"));
        await fleet.DeliverAsync(account, Message("two"));
        await using var client = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        await using var other = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        var selected = HighestModSeq((await client.CommandAsync("SELECT INBOX")).Untagged);
        await other.CommandAsync("SELECT INBOX");

        // Another session's change, learnt by this one: its HIGHESTMODSEQ moves on.
        await other.CommandAsync("STORE 2 +FLAGS (\\Flagged)");
        await client.CommandAsync("NOOP");
        var fetch = await client.CommandAsync("FETCH 1:2 (UID MODSEQ)");
        var highest = HighestModSeq(fetch.Untagged);
        Assert.True(highest > selected);
        Assert.StartsWith("* OK [HIGHESTMODSEQ", fetch.Untagged[0]);
        Assert.Contains($"* 2 FETCH (UID 2 MODSEQ ({highest}))", fetch.Untagged);
        Assert.DoesNotContain((await client.CommandAsync("SEARCH MODSEQ 1")).Untagged, l => l.Contains("HIGHESTMODSEQ", StringComparison.Ordinal));

        Assert.Equal([$"* OK [HIGHESTMODSEQ {highest}] Highest", "* ENABLED CONDSTORE"], (await other.CommandAsync("ENABLE CONDSTORE")).Untagged);
    }

    [Fact]
    public async Task Move_to_the_selected_mailbox_renumbers_the_messages_at_its_end()
    {
        var account = await fleet.CreateAccountAsync("selfmove");
        await fleet.DeliverAsync(account, Message("one"));
        await fleet.DeliverAsync(account, Message("two"));
        await using var client = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        await client.CommandAsync("SELECT INBOX");
        var move = await client.CommandAsync("UID MOVE 1 INBOX");
        Assert.Equal("OK MOVE completed", move.Status);
        Assert.Matches(@"^\* OK \[COPYUID \d+ 1 3\] Moved$", move.Untagged[0]);
        Assert.Equal("* 1 EXPUNGE", move.Untagged[1]);
        Assert.Contains("* 2 EXISTS", move.Untagged);
        Assert.Equal(["* 1 FETCH (UID 2)", "* 2 FETCH (UID 3)"], (await client.CommandAsync("FETCH 1:* UID")).Untagged);
        Assert.Contains((await client.CommandAsync("UID FETCH 3 ENVELOPE")).Untagged, l => l.Contains("\"one\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Copy_to_a_missing_mailbox_asks_to_create_it_and_overlapping_ranges_copy_each_message_once()
    {
        var account = await fleet.CreateAccountAsync("copyranges");
        foreach (var subject in new[] { "one", "two", "three" })
        {
            await fleet.DeliverAsync(account, Message(subject));
        }

        await using var client = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        await client.CommandAsync("SELECT INBOX");
        Assert.Equal("NO [TRYCREATE] No such mailbox", (await client.CommandAsync("UID COPY 1:3 Missing")).Status);
        Assert.Equal("NO [TRYCREATE] No such mailbox", (await client.CommandAsync("UID MOVE 1:3 Missing")).Status);
        Assert.Contains("* 3 EXISTS", (await client.CommandAsync("SELECT INBOX")).Untagged);

        // RFC 4315 §3: the source and target UID sets correspond in order.
        Assert.Matches(@"^OK \[COPYUID \d+ 1:3 1:3\]", (await client.CommandAsync("UID COPY 2:3,1:2,3 Archive")).Status);
        Assert.Equal("OK COPY completed", (await client.CommandAsync("UID COPY 7:9 Archive")).Status);
        Assert.Contains("* 3 EXISTS", (await client.CommandAsync("EXAMINE Archive")).Untagged);
        var subjects = await client.ResponsesAsync("UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
        Assert.Collection(subjects.Untagged,
            l => Assert.Contains("Subject: one", l, StringComparison.Ordinal),
            l => Assert.Contains("Subject: two", l, StringComparison.Ordinal),
            l => Assert.Contains("Subject: three", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_qresync_client_is_told_what_it_missed()
    {
        var account = await fleet.CreateAccountAsync("qresync");
        for (var i = 0; i < 4; i++)
        {
            await fleet.DeliverAsync(account, Message($"m{i}"));
        }

        ulong since;
        string validity;
        await using (var before = await RawImapClient.LoginAsync(fleet.ImapsPort, account))
        {
            var select = await before.CommandAsync("SELECT INBOX");
            since = HighestModSeq(select.Untagged);
            validity = select.Untagged.Single(l => l.StartsWith("* OK [UIDVALIDITY ", StringComparison.Ordinal)).Split(' ', ']')[3];
        }

        await using (var other = await RawImapClient.LoginAsync(fleet.ImapsPort, account))
        {
            await other.CommandAsync("SELECT INBOX");
            await other.CommandAsync("UID STORE 2 +FLAGS.SILENT (\\Deleted)");
            await other.CommandAsync("UID EXPUNGE 2");
            await other.CommandAsync("UID STORE 3 +FLAGS.SILENT (\\Flagged)");
            await other.CommandAsync("UID MOVE 4 Archive");
        }

        await using var client = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        Assert.Contains(" QRESYNC", (await client.CommandAsync("CAPABILITY")).Untagged.Single());
        Assert.Equal(["* ENABLED QRESYNC"], (await client.CommandAsync("ENABLE QRESYNC")).Untagged);
        var resync = await client.CommandAsync($"SELECT INBOX (QRESYNC ({validity} {since} 1:4))");
        Assert.StartsWith("OK [READ-WRITE]", resync.Status);
        Assert.Equal("* VANISHED (EARLIER) 2,4", resync.Untagged[^2]);
        Assert.Matches(@"^\* 2 FETCH \(UID 3 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$", resync.Untagged[^1]);

        var changed = await client.CommandAsync($"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {since} VANISHED)");
        Assert.Equal("* VANISHED (EARLIER) 2,4", changed.Untagged[0]);
        Assert.Single(changed.Untagged, l => l.Contains("FETCH", StringComparison.Ordinal));

        await client.CommandAsync("STORE 1 +FLAGS.SILENT (\\Deleted)");
        var expunge = await client.CommandAsync("EXPUNGE");
        Assert.Equal(["* VANISHED 1"], expunge.Untagged);
        Assert.Matches(@"^OK \[HIGHESTMODSEQ \d+\] EXPUNGE completed$", expunge.Status);
    }

    [Fact]
    public async Task Multiappend_stores_every_message_or_none()
    {
        var account = await fleet.CreateAccountAsync("multi");
        await using var client = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        Assert.Contains(" MULTIAPPEND", (await client.CommandAsync("CAPABILITY")).Untagged.Single());
        // The second is several DeliverStream chunks (64 KiB each) long.
        string[] drafts = [Message("draft one"), Message("draft two") + string.Concat(Enumerable.Repeat(new string('m', 78) + "\r\n", 4000))];
        var append = await client.CommandAsync($"APPEND Drafts (\\Seen) {Literal(drafts[0])} {Literal(drafts[1])}");
        Assert.Matches(@"^OK \[APPENDUID \d+ 1:2\] APPEND completed$", append.Status);
        await client.CommandAsync("EXAMINE Drafts");
        for (var uid = 1; uid <= 2; uid++)
        {
            var stored = await fleet.ScalarAsync<byte[]>(
                "SELECT message_bytes(m) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'Drafts' AND m.uid = $2",
                account.Id, (long)uid);
            Decrypted.AssertDecryptsTo(drafts[uid - 1], await fleet.DecryptAsync(account, stored));
        }

        // The intake refuses the second message (a keyword it does not take): the first goes too.
        var keyword = "$" + new string('k', 200);
        var refused = await client.CommandAsync($"APPEND Drafts {Literal(Message("kept?"))} ({keyword}) {Literal(Message("refused"))}");
        Assert.StartsWith("NO", refused.Status);
        Assert.Contains("* STATUS Drafts (MESSAGES 2)", (await client.CommandAsync("STATUS Drafts (MESSAGES)")).Untagged);
        Assert.Equal(2L, await fleet.ScalarAsync<long>(
            "SELECT count(*) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'Drafts'", account.Id));
    }

    private static string Literal(string message) => $"{{{System.Text.Encoding.UTF8.GetByteCount(message)}+}}\r\n{message}";

    [Fact]
    public async Task Envelope_has_every_field_of_the_original_but_bcc_and_the_message_decrypts_whole()
    {
        var account = await fleet.CreateAccountAsync("envelope");
        var original =
            "Date: Tue, 17 Nov 2026 10:00:00 +0000\r\n" +
            "Subject: Re: Lunch on Thursday?\r\n" +
            "From: Bob Example <bob@sender.example>\r\n" +
            "Sender: List Robot <list-bounces@lists.sender.example>\r\n" +
            "Reply-To: Lunch List <lunch@lists.sender.example>\r\n" +
            $"To: {account.Address}, Alice <alice@sender.example>\r\n" +
            "Cc: Carol <carol@sender.example>\r\n" +
            "Bcc: hidden@sender.example\r\n" +
            "Message-ID: <reply.2@sender.example>\r\n" +
            "In-Reply-To: <start.1@sender.example>\r\n" +
            "References: <start.0@sender.example>\r\n <start.1@sender.example>\r\n" +
            "\r\nThursday works.\r\n";
        await fleet.DeliverAsync(account, original);
        await using var client = await RawImapClient.LoginAsync(fleet.ImapsPort, account);
        await client.CommandAsync("EXAMINE INBOX");
        var local = account.Address.Split('@');
        Assert.Equal(
            "* 1 FETCH (UID 1 ENVELOPE (\"Tue, 17 Nov 2026 10:00:00 +0000\" \"Re: Lunch on Thursday?\" " +
            "((\"Bob Example\" NIL \"bob\" \"sender.example\")) ((\"List Robot\" NIL \"list-bounces\" \"lists.sender.example\")) " +
            "((\"Lunch List\" NIL \"lunch\" \"lists.sender.example\")) " +
            $"((NIL NIL \"{local[0]}\" \"{local[1]}\")(\"Alice\" NIL \"alice\" \"sender.example\")) ((\"Carol\" NIL \"carol\" \"sender.example\")) NIL " +
            "\"<start.1@sender.example>\" \"<reply.2@sender.example>\"))",
            (await client.CommandAsync("UID FETCH 1 ENVELOPE")).Untagged.Single());
        var references = await client.CommandAsync("UID FETCH 1 BODY.PEEK[HEADER.FIELDS (REFERENCES BCC)]");
        Assert.Contains(" <start.1@sender.example>", references.Untagged);
        Assert.DoesNotContain(references.Untagged, l => l.Contains("hidden@", StringComparison.Ordinal));

        var stored = await fleet.ScalarAsync<byte[]>(
            "SELECT message_bytes(m) FROM messages m WHERE m.vaultbox_id = $1 AND m.uid = 1", account.Id);
        Decrypted.AssertDecryptsTo(original, await fleet.DecryptAsync(account, stored));
    }

    private static ulong HighestModSeq(IEnumerable<string> untagged) =>
        ulong.Parse(untagged.Single(l => l.StartsWith("* OK [HIGHESTMODSEQ ", StringComparison.Ordinal)).Split(' ', ']')[3]);
}

namespace Encimap.Imap.Tests;

/// <summary>RFC behaviour that depends on what PostgreSQL keeps, against the real service.</summary>
[Collection(ImapFleetCollection.Name)]
public sealed class ConformanceTests(ImapFleet fleet)
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
}

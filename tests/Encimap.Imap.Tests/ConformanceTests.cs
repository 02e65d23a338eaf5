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
}

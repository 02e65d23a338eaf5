namespace Encimap.Imap.Protocol.Tests;

/// <summary>CREATE, DELETE and RENAME.</summary>
public sealed class MailboxTranscriptTests
{
    [Fact]
    public async Task A_mailbox_deleted_and_created_again_gets_a_new_uidvalidity()
    {
        await using var t = new Transcript(new MemoryStore());
        await t.Exchange("a LOGIN fred secret");
        await t.Exchange("b CREATE Work");
        var before = await UidValidity(t, "c");
        await t.Exchange("d DELETE Work");
        await t.Exchange("e CREATE Work");
        var after = await UidValidity(t, "f");
        Assert.True(after > before, $"UIDVALIDITY {after} after {before}");
    }

    private static async Task<uint> UidValidity(Transcript t, string tag)
    {
        var status = (await t.Exchange($"{tag} STATUS Work (UIDVALIDITY)"))[0];
        return uint.Parse(status["* STATUS Work (UIDVALIDITY ".Length..^1]);
    }
}

using Encimap.Contracts.Intake;
using Grpc.Core;

namespace Encimap.Intake.Tests;

/// <summary>
/// Group commit: concurrent deliveries to one vaultbox share transactions (rows inserted by one
/// transaction carry the same <c>xmin</c>), and one delivery's failure never fails the others
/// of its transaction.
/// </summary>
[Collection(IntakeFleetCollection.Name)]
public sealed class GroupCommitTests(IntakeFixture fleet)
{
    [Fact]
    public async Task Concurrent_deliveries_share_commits_and_keep_uids_gap_free()
    {
        const int count = 50;
        var vaultbox = await fleet.CreateVaultboxAsync("group");
        var replies = await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            fleet.Client.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique($"group{i}", 3000), vaultbox.Address)).ResponseAsync));

        var uids = replies.Select(r => Assert.Single(r.Results).Uid).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, count).Select(i => (uint)i), uids);
        var transactions = await fleet.ScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM messages WHERE vaultbox_id = $1", vaultbox.Id);
        Assert.InRange(transactions, 1, count - 1);
        // UIDs follow the order of the commits: a later transaction never holds a smaller UID.
        Assert.Equal(0L, await fleet.ScalarAsync<long>(
            """
            SELECT count(*) FROM messages a JOIN messages b ON a.mailbox_id = b.mailbox_id AND a.uid < b.uid
            WHERE a.vaultbox_id = $1 AND a.xmin::text::bigint > b.xmin::text::bigint
            """, vaultbox.Id));
    }

    [Fact]
    public async Task A_failing_delivery_does_not_fail_the_others_committed_with_it()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("mixed");
        var raw = Corpus.Unique("mixed-twin");
        DeliverRequest ToFolder(string folder, int i)
        {
            var request = StoredMessageAssert.Request(Corpus.Unique($"mixed{i}", 2000), vaultbox.Address);
            request.Mailbox = folder;
            return request;
        }

        DeliverRequest Append(int i)
        {
            var request = ToFolder("Drafts", 200 + i);
            request.AllowDuplicates = true;
            return request;
        }

        // Good deliveries, appends (never de-duplicated: stored twice if a rolled-back batch had
        // kept any of them), deliveries to a folder that does not exist, and identical twins
        // (which collide on the de-duplication index when they meet in one transaction), all at once.
        var good = Enumerable.Range(0, 20).Select(i => fleet.Client.DeliverAsync(ToFolder("INBOX", i)).ResponseAsync)
            .Concat(Enumerable.Range(0, 10).Select(i => fleet.Client.DeliverAsync(Append(i)).ResponseAsync)).ToArray();
        var missing = Enumerable.Range(0, 3).Select(i => fleet.Client.DeliverAsync(ToFolder("No such folder", 100 + i)).ResponseAsync).ToArray();
        var twins = Enumerable.Range(0, 4).Select(_ => fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync).ToArray();

        var goodReplies = await Task.WhenAll(good);
        Assert.All(goodReplies, r => Assert.Equal(DeliveryOutcome.Stored, Assert.Single(r.Results).Outcome));
        foreach (var failed in missing)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => failed);
            Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        }

        var twinResults = (await Task.WhenAll(twins)).Select(r => Assert.Single(r.Results)).ToArray();
        Assert.Single(twinResults, r => r.Outcome == DeliveryOutcome.Stored);
        Assert.Single(twinResults.Select(r => r.Uid).Distinct());

        Assert.Equal(31, await fleet.MessageCountAsync(vaultbox.Id));
        Assert.Equal(Enumerable.Range(1, 21).Select(i => (long)i), await fleet.ScalarAsync<long[]>(
            "SELECT array_agg(m.uid ORDER BY m.uid) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'INBOX'", vaultbox.Id));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), await fleet.ScalarAsync<long[]>(
            "SELECT array_agg(m.uid ORDER BY m.uid) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'Drafts'", vaultbox.Id));
    }
}

using Encimap.Contracts.Intake;

namespace Encimap.Intake.Tests;

/// <summary>
/// Deliveries reuse resolved routes for a while; the commit confirms every reused route, so a
/// change made meanwhile (subject hiding, the route moved to another vaultbox, deactivated) takes
/// effect on the very next delivery, well within the cache lifetime.
/// </summary>
[Collection(IntakeFleetCollection.Name)]
public sealed class RouteCacheTests(IntakeFixture fleet)
{
    [Fact]
    public async Task A_route_changed_after_it_was_remembered_is_resolved_again_at_commit()
    {
        var first = await fleet.CreateVaultboxAsync("moving");
        var second = await fleet.CreateVaultboxAsync("target");
        var stored = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique("remembered"), first.Address)).ResponseAsync).Results);
        Assert.Equal(DeliveryOutcome.Stored, stored.Outcome);
        Assert.False(await fleet.ScalarAsync<bool>("SELECT subject IS NULL FROM messages WHERE vaultbox_id = $1 AND uid = 1", first.Id));

        // The remembered route says "subject shown"; the copy must be made for "hidden".
        await fleet.ExecuteAsync("UPDATE vaultboxes SET hide_subject = true WHERE id = $1", first.Id);
        var hidden = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique("hidden-now"), first.Address)).ResponseAsync).Results);
        Assert.Equal((DeliveryOutcome.Stored, 2u), (hidden.Outcome, hidden.Uid));
        Assert.True(await fleet.ScalarAsync<bool>("SELECT subject IS NULL FROM messages WHERE vaultbox_id = $1 AND uid = 2", first.Id));

        // The address now delivers to another vaultbox.
        await fleet.ExecuteAsync("UPDATE mail_routes SET vaultbox_id = $1 WHERE address = $2", second.Id, first.Address);
        var moved = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique("moved"), first.Address)).ResponseAsync).Results);
        Assert.Equal((DeliveryOutcome.Stored, second.Id.ToString(), 1u), (moved.Outcome, moved.VaultboxId, moved.Uid));
        Assert.Equal(2, await fleet.MessageCountAsync(first.Id));
        Assert.Equal(1, await fleet.MessageCountAsync(second.Id));

        // Deactivated: nobody receives it.
        await fleet.ExecuteAsync("UPDATE mail_routes SET active = false WHERE address = $1", first.Address);
        var gone = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique("deactivated"), first.Address)).ResponseAsync).Results);
        Assert.Equal(DeliveryOutcome.UnknownRecipient, gone.Outcome);
        Assert.Equal(2, await fleet.MessageCountAsync(first.Id));
        Assert.Equal(1, await fleet.MessageCountAsync(second.Id));
        Assert.Equal(0L, await fleet.ScalarAsync<long>(
            "SELECT count(*) FROM email_processing_logs WHERE vaultbox_id IN ($1, $2) AND outcome = 'failed'", first.Id, second.Id));
    }
}

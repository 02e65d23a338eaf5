using Encimap.Contracts.Intake;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Encimap.Intake.Tests;

/// <summary>IMAP APPEND through Deliver: initial flags, INTERNALDATE and no de-duplication.</summary>
[Collection(IntakeFleetCollection.Name)]
public sealed class AppendTests(IntakeFixture fleet)
{
    [Fact]
    public async Task An_append_stores_flags_and_internal_date_and_is_never_a_duplicate()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("append");
        var raw = Corpus.Unique("append");
        var date = new DateTimeOffset(2021, 5, 6, 7, 8, 9, TimeSpan.FromHours(2));
        DeliverRequest Append()
        {
            var request = StoredMessageAssert.Request(raw, vaultbox.Address);
            request.Mailbox = "Drafts";
            request.ReceivedProtocol = "IMAP";
            request.AllowDuplicates = true;
            request.Flags.Add("\\Seen");
            request.Flags.Add("\\Draft");
            request.InternalDate = Timestamp.FromDateTimeOffset(date);
            return request;
        }

        var first = Assert.Single((await fleet.Client.DeliverAsync(Append()).ResponseAsync).Results);
        var second = Assert.Single((await fleet.Client.DeliverAsync(Append()).ResponseAsync).Results);
        Assert.Equal(DeliveryOutcome.Stored, first.Outcome);
        Assert.Equal(DeliveryOutcome.Stored, second.Outcome);
        Assert.Equal(1u, first.Uid);
        Assert.Equal(2u, second.Uid);

        Assert.Equal(new[] { "\\Seen", "\\Draft" }, await fleet.ScalarAsync<string[]>(
            "SELECT m.flags FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'Drafts' AND m.uid = 1", vaultbox.Id));
        Assert.Equal(date.UtcDateTime, (await fleet.ScalarAsync<DateTime>(
            "SELECT m.internal_date FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'Drafts' AND m.uid = 2", vaultbox.Id)).ToUniversalTime());
        Assert.Equal(0L, await fleet.ScalarAsync<long>("SELECT count(*) FROM messages WHERE vaultbox_id = $1 AND dedup_key IS NOT NULL", vaultbox.Id));

        // A delivery of the same bytes is de-duplicated as before, unaffected by the appends.
        var delivered = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync).Results);
        var again = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync).Results);
        Assert.Equal(DeliveryOutcome.Stored, delivered.Outcome);
        Assert.Equal(DeliveryOutcome.Duplicate, again.Outcome);
    }

    [Fact]
    public async Task Invalid_flags_are_rejected()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("badflag");
        var request = StoredMessageAssert.Request(Corpus.Unique("badflag"), vaultbox.Address);
        request.Flags.Add("bad flag");
        var error = await Assert.ThrowsAsync<RpcException>(() => fleet.Client.DeliverAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }
}

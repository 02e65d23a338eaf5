using System.Net;
using System.Text.Json;
using Encimap.Contracts.Intake;
using Grpc.Core;
using Npgsql;

namespace Encimap.Intake.Tests;

/// <summary>UID assignment under concurrency, duplicate detection, recipients and notifications.</summary>
[Collection(IntakeFleetCollection.Name)]
public sealed class UidAndDuplicateTests(IntakeFixture fleet)
{
    [Fact]
    public async Task Twenty_concurrent_deliveries_get_uids_one_to_twenty()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("burst");
        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            fleet.Client.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique($"burst{i}", 5000), vaultbox.Address)).ResponseAsync));
        var uids = replies.Select(r => Assert.Single(r.Results)).Select(r =>
        {
            Assert.Equal(DeliveryOutcome.Stored, r.Outcome);
            return r.Uid;
        }).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (uint)i), uids);
        Assert.Equal(20, await fleet.MessageCountAsync(vaultbox.Id));
        Assert.Equal(21L, await fleet.ScalarAsync<long>("SELECT uid_next FROM mailboxes WHERE vaultbox_id = $1 AND name = 'INBOX'", vaultbox.Id));
        Assert.Equal(20L, await fleet.ScalarAsync<long>("SELECT count(DISTINCT modseq) FROM messages WHERE vaultbox_id = $1", vaultbox.Id));
        Assert.Equal(20L, await fleet.ScalarAsync<long>("SELECT count(*) FROM email_processing_logs WHERE vaultbox_id = $1 AND outcome = 'stored'", vaultbox.Id));
    }

    [Fact]
    public async Task A_retried_delivery_is_a_duplicate_with_the_original_uid_and_one_row()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("retry");
        var raw = Corpus.Unique("retry");
        var first = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync).Results);
        var again = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address.ToUpperInvariant())).ResponseAsync).Results);
        Assert.Equal(DeliveryOutcome.Stored, first.Outcome);
        Assert.Equal(DeliveryOutcome.Duplicate, again.Outcome);
        Assert.Equal(first.Uid, again.Uid);
        Assert.Equal(1, await fleet.MessageCountAsync(vaultbox.Id));

        // The same bytes from another sender are another delivery.
        var other = StoredMessageAssert.Request(raw, vaultbox.Address);
        other.EnvelopeSender = "someone-else@sender.example";
        Assert.Equal(DeliveryOutcome.Stored, Assert.Single((await fleet.Client.DeliverAsync(other).ResponseAsync).Results).Outcome);

        // Over HTTP: 201 then 200 with the same uid.
        using var http = new HttpClient();
        var url = $"http://127.0.0.1:{fleet.IntakeHttpPort}/intake/{vaultbox.Id}?sender=a%40sender.example&recipient={Uri.EscapeDataString(vaultbox.Address)}";
        using var created = await http.PostAsync(url, new ByteArrayContent(raw));
        using var duplicate = await http.PostAsync(url, new ByteArrayContent(raw));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        var createdBody = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var duplicateBody = JsonDocument.Parse(await duplicate.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("duplicate", duplicateBody.GetProperty("outcome").GetString());
        Assert.Equal(createdBody.GetProperty("uid").GetUInt32(), duplicateBody.GetProperty("uid").GetUInt32());
        Assert.Equal(3, await fleet.MessageCountAsync(vaultbox.Id));
        Assert.Equal(2L, await fleet.ScalarAsync<long>("SELECT count(*) FROM email_processing_logs WHERE vaultbox_id = $1 AND outcome = 'duplicate'", vaultbox.Id));
    }

    [Fact]
    public async Task Concurrent_identical_deliveries_store_one_copy()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("race");
        var raw = Corpus.Unique("race");
        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync));
        var results = replies.Select(r => Assert.Single(r.Results)).ToArray();
        Assert.Single(results, r => r.Outcome == DeliveryOutcome.Stored);
        Assert.All(results, r => Assert.Equal(1u, r.Uid));
        Assert.Equal(1, await fleet.MessageCountAsync(vaultbox.Id));
    }

    [Fact]
    public async Task Beyond_the_duplicate_window_a_new_copy_is_stored()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("window");
        var raw = Corpus.Unique("window");
        var first = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync).Results);
        await fleet.ExecuteAsync("UPDATE messages SET received_at = now() - interval '25 hours' WHERE vaultbox_id = $1", vaultbox.Id);
        var later = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync).Results);
        Assert.Equal(DeliveryOutcome.Stored, later.Outcome);
        Assert.Equal(first.Uid + 1, later.Uid);
        Assert.Equal(1L, await fleet.ScalarAsync<long>("SELECT count(*) FROM messages WHERE vaultbox_id = $1 AND dedup_key IS NULL", vaultbox.Id));
        var again = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync).Results);
        Assert.Equal(DeliveryOutcome.Duplicate, again.Outcome);
        Assert.Equal(later.Uid, again.Uid);
    }

    [Fact]
    public async Task Unknown_recipients_are_reported_and_the_others_stored()
    {
        var cat = await fleet.CreateVaultboxAsync("cat");
        var fox = await fleet.CreateVaultboxAsync("fox");
        var unknown = $"nobody@{fleet.Domain}";
        var reply = await fleet.Client.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique("multi"), cat.Address, unknown, fox.Address.ToUpperInvariant())).ResponseAsync;
        Assert.Equal(3, reply.Results.Count);
        Assert.Equal((cat.Address, DeliveryOutcome.Stored, 1u), (reply.Results[0].Recipient, reply.Results[0].Outcome, reply.Results[0].Uid));
        Assert.Equal((unknown, DeliveryOutcome.UnknownRecipient, ""), (reply.Results[1].Recipient, reply.Results[1].Outcome, reply.Results[1].VaultboxId));
        Assert.Equal((fox.Id.ToString(), DeliveryOutcome.Stored, 1u), (reply.Results[2].VaultboxId, reply.Results[2].Outcome, reply.Results[2].Uid));
    }

    [Fact]
    public async Task ResolveRecipient_finds_active_routes_case_insensitively()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("resolve");
        var found = await fleet.Client.ResolveRecipientAsync(new ResolveRecipientRequest { Address = $"<{vaultbox.Address.ToUpperInvariant()}>" }).ResponseAsync;
        Assert.True(found.Found);
        Assert.Equal(vaultbox.Id.ToString(), found.VaultboxId);
        Assert.False((await fleet.Client.ResolveRecipientAsync(new ResolveRecipientRequest { Address = $"nobody@{fleet.Domain}" }).ResponseAsync).Found);
        Assert.False((await fleet.Client.ResolveRecipientAsync(new ResolveRecipientRequest { Address = "" }).ResponseAsync).Found);

        await fleet.ExecuteAsync("UPDATE mail_routes SET active = false WHERE vaultbox_id = $1", vaultbox.Id);
        Assert.False((await fleet.Client.ResolveRecipientAsync(new ResolveRecipientRequest { Address = vaultbox.Address }).ResponseAsync).Found);
        var reply = await fleet.Client.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique("inactive"), vaultbox.Address)).ResponseAsync;
        Assert.Equal(DeliveryOutcome.UnknownRecipient, Assert.Single(reply.Results).Outcome);
        Assert.Equal(0, await fleet.MessageCountAsync(vaultbox.Id));
    }

    [Fact]
    public async Task A_copy_can_go_to_another_folder()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("sent");
        var request = StoredMessageAssert.Request(Corpus.Unique("sent"), vaultbox.Address);
        request.Mailbox = "Sent";
        Assert.Equal(1u, Assert.Single((await fleet.Client.DeliverAsync(request).ResponseAsync).Results).Uid);
        Assert.Equal("Sent", await fleet.ScalarAsync<string>(
            "SELECT b.name FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1", vaultbox.Id));

        request.Mailbox = "No Such Folder";
        request.RawMessage = Google.Protobuf.ByteString.CopyFrom(Corpus.Unique("nofolder"));
        var error = await Assert.ThrowsAsync<RpcException>(() => fleet.Client.DeliverAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(1, await fleet.MessageCountAsync(vaultbox.Id));
    }

    [Fact]
    public async Task A_listener_hears_of_the_message_when_it_is_committed()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("notify");
        await using var listener = new NpgsqlConnection(fleet.EncimapAppConnectionString);
        await listener.OpenAsync();
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Notification += (_, e) =>
        {
            if (e.Channel == "encimap_mail" && e.Payload.Contains(vaultbox.Id.ToString(), StringComparison.Ordinal))
            {
                heard.TrySetResult(e.Payload);
            }
        };
        await using (var listen = new NpgsqlCommand("LISTEN encimap_mail", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        var waiting = Task.Run(async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (!heard.Task.IsCompleted)
            {
                await listener.WaitAsync(timeout.Token);
            }
        });
        var uid = Assert.Single((await fleet.Client.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique("notify"), vaultbox.Address)).ResponseAsync).Results).Uid;
        await waiting;
        var payload = JsonDocument.Parse(await heard.Task).RootElement;
        Assert.Equal(vaultbox.Id, payload.GetProperty("vaultbox_id").GetGuid());
        Assert.Equal(uid, payload.GetProperty("uid").GetUInt32());
        var mailboxId = payload.GetProperty("mailbox_id").GetInt64();
        Assert.Equal(mailboxId, await fleet.ScalarAsync<long>("SELECT id FROM mailboxes WHERE vaultbox_id = $1 AND name = 'INBOX'", vaultbox.Id));
        // Committed when heard: another connection sees the row.
        Assert.Equal(1L, await fleet.ScalarAsync<long>("SELECT count(*) FROM messages WHERE mailbox_id = $1 AND uid = $2", mailboxId, (long)uid));
    }
}

using System.Net;
using Encimap.Contracts.Intake;
using Grpc.Core;

namespace Encimap.Intake.Tests;

/// <summary>
/// The database refusing connections and the certificate service stopped: the intake answers
/// UNAVAILABLE / 503 (the pipe script 75), stores nothing, and works again once they are back.
/// Each test gives back what it took away.
/// </summary>
[Collection(IntakeFleetCollection.Name)]
public sealed class DependencyFailureTests(IntakeFixture fleet)
{
    private string Url => $"http://127.0.0.1:{fleet.IntakeHttpPort}";

    [Fact]
    public async Task While_the_database_refuses_connections_nothing_is_acknowledged_and_delivery_resumes_after()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("outage");
        var warm = await fleet.Client.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique("warm"), vaultbox.Address)).ResponseAsync;
        Assert.Equal(DeliveryOutcome.Stored, Assert.Single(warm.Results).Outcome);

        await SetConnectionsAllowedAsync(false);
        try
        {
            var raw = Corpus.Unique("during-outage");
            var error = await Assert.ThrowsAsync<RpcException>(() => fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            var resolve = await Assert.ThrowsAsync<RpcException>(() =>
                fleet.Client.ResolveRecipientAsync(new ResolveRecipientRequest { Address = vaultbox.Address }).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, resolve.StatusCode);

            using var http = new HttpClient();
            using (var response = await http.PostAsync($"{Url}/intake/{vaultbox.Id}", new ByteArrayContent(raw)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            }

            Assert.Equal(75, (await Tools.PipeAsync(raw, Url, vaultbox.Id.ToString())).ExitCode);
            using (var health = await http.GetAsync($"{Url}/health"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            }
        }
        finally
        {
            await SetConnectionsAllowedAsync(true);
        }

        Assert.Equal(1, await fleet.MessageCountAsync(vaultbox.Id));
        var after = await fleet.Client.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique("after-outage"), vaultbox.Address)).ResponseAsync;
        Assert.Equal((DeliveryOutcome.Stored, 2u), (Assert.Single(after.Results).Outcome, after.Results[0].Uid));
        using var client = new HttpClient();
        using var created = await client.PostAsync($"{Url}/intake/{vaultbox.Id}", new ByteArrayContent(Corpus.Unique("after-outage-http")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task With_the_certificate_service_killed_nothing_is_acknowledged()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("nocerts");
        await fleet.StopResourceAsync("certificates");
        try
        {
            var raw = Corpus.Unique("no-certificates");
            var error = await Assert.ThrowsAsync<RpcException>(() => fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            using var http = new HttpClient();
            using (var response = await http.PostAsync($"{Url}/intake/{vaultbox.Id}", new ByteArrayContent(raw)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            }

            Assert.Equal(75, (await Tools.PipeAsync(raw, Url, vaultbox.Id.ToString())).ExitCode);
            Assert.Equal(0, await fleet.MessageCountAsync(vaultbox.Id));
            Assert.True(await fleet.ScalarAsync<long>(
                "SELECT count(*) FROM email_processing_logs WHERE vaultbox_id = $1 AND outcome = 'failed' AND detail = 'certificates_unavailable'", vaultbox.Id) >= 3);
        }
        finally
        {
            await fleet.StartResourceAsync("certificates");
        }

        // The intake may take a few seconds to reach the restarted certificate service again.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                var reply = await fleet.Client.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique("certs-back"), vaultbox.Address)).ResponseAsync;
                Assert.Equal(DeliveryOutcome.Stored, Assert.Single(reply.Results).Outcome);
                break;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }

        Assert.Equal(1, await fleet.MessageCountAsync(vaultbox.Id));
    }

    // The database "stops" for the intake: no new connections, and the intake's sessions ended
    // (the other services of the fleet keep theirs, so that what is tested is the intake's own behaviour).
    private async Task SetConnectionsAllowedAsync(bool allowed)
    {
        var ended = await fleet.SetEncimapConnectionsAllowedAsync(allowed, applicationName: "encimap-intake");
        Assert.True(allowed || ended > 0, "no intake session was open");
    }
}

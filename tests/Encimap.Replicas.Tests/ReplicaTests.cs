using System.Globalization;
using Encimap.SmtpGateway.Tests;

namespace Encimap.Replicas.Tests;

/// <summary>
/// Two replicas of every stateless service over one database: mail flows through each, IDLE on one
/// IMAP replica sees what the other stored, the outbound queue is drained once, certificates are
/// renewed once, and a restarted replica serves again without anyone's help.
/// </summary>
[Collection(ReplicaFleetCollection.Name)]
public sealed class ReplicaTests(ReplicaFleet fleet)
{
    private static readonly string Scripts = Path.Combine(AppContext.BaseDirectory, "scripts");

    [Fact]
    public async Task EveryServiceRunsTwoReplicasOnPortsOfTheirOwn()
    {
        foreach (var service in new[] { "smtp", "intake", "imap", "api", "certificates", "gateway" })
        {
            var replicas = await fleet.ReplicaIdsAsync(service);
            Assert.Equal(ReplicaFleet.ReplicaCount, replicas.Count);
            var ports = replicas.Select(id => fleet.ReplicaPort(id, "Kestrel__Endpoints__http__Url")).ToHashSet();
            Assert.Equal(ReplicaFleet.ReplicaCount, ports.Count);
            Assert.DoesNotContain(fleet.Http(service).Port, ports);
        }
    }

    [Fact]
    public async Task MailSentToEachSmtpReplicaAndToTheProxiedMxIsStoredEncrypted()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("flow");
        var mxPorts = (await fleet.ReplicaIdsAsync("smtp")).Select(id => fleet.ReplicaPort(id, "Smtp__Mx__Endpoint"))
            .Append(fleet.Endpoint("smtp", "mx").Port).ToList();
        foreach (var port in mxPorts)
        {
            var sent = await Tool.RunAsync("python3", [Path.Combine(Scripts, "mx_send.py"), "127.0.0.1", Invariant(port), vaultbox.Address, $"via-{port}", "3"]);
            Assert.True(sent.ExitCode == 0, sent.ToString());
        }

        var inbox = await fleet.DecryptedInboxAsync(vaultbox, 3 * mxPorts.Count, TimeSpan.FromSeconds(60));
        foreach (var port in mxPorts)
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Single(inbox, text => text.Contains($"body of via-{port} {i}", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task AClientIdlingOnOneImapReplicaSeesWithinASecondWhatTheOtherStored()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("idle");
        var replicas = await fleet.ReplicaIdsAsync("imap");
        var idlePort = fleet.ReplicaPort(replicas[0], "Imap__TlsEndpoint");
        var appendPort = fleet.ReplicaPort(replicas[1], "Imap__TlsEndpoint");
        var marker = Path.Combine(fleet.WorkDirectory, $"idle-{Guid.NewGuid():N}");
        var idle = Tool.RunAsync("python3", [Path.Combine(Scripts, "idle_until_exists.py"), "127.0.0.1", Invariant(idlePort), vaultbox.ImapUserName, vaultbox.ImapPassword, marker]);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(marker) && !idle.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }

        Assert.True(File.Exists(marker), idle.IsCompleted ? (await idle).ToString() : "IDLE never started");
        var appended = await Tool.RunAsync("python3", [Path.Combine(Scripts, "append.py"), "127.0.0.1", Invariant(appendPort), vaultbox.ImapUserName, vaultbox.ImapPassword, "through the other replica"]);
        Assert.True(appended.ExitCode == 0, appended.ToString());
        var announced = await idle;
        Assert.True(announced.ExitCode == 0, announced.ToString());

        var delay = double.Parse(announced.Text.Trim(), CultureInfo.InvariantCulture) - double.Parse(appended.Text.Trim(), CultureInfo.InvariantCulture);
        Assert.True(delay < 1.0, $"the idling client heard of the message {delay:0.000} s after APPEND completed on the other replica");
    }

    [Fact]
    public async Task TwoSmtpGatewaysRelayEverySubmittedMessageExactlyOnce()
    {
        const int Count = 30;
        var vaultbox = await fleet.CreateVaultboxAsync("outbound");
        var marker = $"outbound-{Guid.NewGuid():N}";
        // Half through each replica's own submission port: both queue, both drain.
        foreach (var replica in await fleet.ReplicaIdsAsync("smtp"))
        {
            var port = fleet.ReplicaPort(replica, "Smtp__Submission__Endpoint");
            var submitted = await Tool.RunAsync("python3", [Path.Combine(Scripts, "submit.py"), "127.0.0.1", Invariant(port),
                vaultbox.SmtpUserName, vaultbox.SmtpPassword, vaultbox.Address, $"{marker}-{port}", Invariant(Count / ReplicaFleet.ReplicaCount)]);
            Assert.True(submitted.ExitCode == 0, submitted.ToString());
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Relayed(marker).Count < Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        // Both gateways keep polling the queue meanwhile: a message claimed twice would show now.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var relayed = Relayed(marker);
        Assert.Equal(Count, relayed.Count);
        Assert.All(relayed, entry => Assert.True(entry.Value == 1, $"{entry.Key} relayed {entry.Value} times"));
        Assert.Equal((long)Count, await fleet.ScalarAsync<long>(
            "SELECT count(*) FROM outbound_messages WHERE vaultbox_id = $1 AND status = 'sent'", vaultbox.Id));
    }

    [Fact]
    public async Task TwoCertificateServicesRenewADueCertificateOnce()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("renew");
        // Due for renewal (inside the default 30 days), but not yet expired.
        Assert.Equal(1, await fleet.ExecuteAsync(
            "UPDATE vaultbox_certs SET not_after = now() + interval '2 days' WHERE vaultbox_id = $1 AND status = 'active'", vaultbox.Id));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await CertificatesAsync(vaultbox.Id) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        // Each certificate service runs a pass every second: let several of both go by.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal(2L, await CertificatesAsync(vaultbox.Id));
    }

    [Fact]
    public async Task AStoppedSmtpReplicaStartedAgainTakesMailWithoutFurtherSteps()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("restart");
        var replica = (await fleet.ReplicaIdsAsync("smtp"))[1];
        await fleet.StopReplicaAsync(replica);

        // Meanwhile the proxied MX port still takes mail (the other replica).
        var mx = fleet.Endpoint("smtp", "mx").Port;
        var meanwhile = await Tool.RunAsync("python3", [Path.Combine(Scripts, "mx_send.py"), "127.0.0.1", Invariant(mx), vaultbox.Address, "while-stopped", "4"]);
        Assert.True(meanwhile.ExitCode == 0, meanwhile.ToString());

        await fleet.StartReplicaAsync(replica);
        var port = fleet.ReplicaPort(replica, "Smtp__Mx__Endpoint");
        var after = await Tool.RunAsync("python3", [Path.Combine(Scripts, "mx_send.py"), "127.0.0.1", Invariant(port), vaultbox.Address, "after-restart", "2"]);
        Assert.True(after.ExitCode == 0, after.ToString());

        var inbox = await fleet.DecryptedInboxAsync(vaultbox, 6, TimeSpan.FromSeconds(60));
        Assert.Equal(4, inbox.Count(text => text.Contains("body of while-stopped", StringComparison.Ordinal)));
        Assert.Equal(2, inbox.Count(text => text.Contains("body of after-restart", StringComparison.Ordinal)));
        Assert.Equal(ReplicaFleet.ReplicaCount, (await fleet.ReplicaIdsAsync("smtp")).Count(fleet.IsRunning));
    }

    [Fact]
    public async Task WithoutADashboardTheServicesExportNoTelemetryAndLogNoCallAttempts()
    {
        // A test fleet has no dashboard: exporters aimed at it retried against a closed port and
        // held every shutdown for 10-20 s. And the resilience pipeline's one line per outgoing call
        // (the health checks' included) is filtered out; its warnings are not.
        foreach (var service in new[] { "smtp", "intake", "imap", "api", "certificates", "gateway" })
        {
            foreach (var replica in await fleet.ReplicaIdsAsync(service))
            {
                Assert.True(fleet.App.ResourceNotifications.TryGetCurrentState(replica, out var state), replica);
                var variables = state.Snapshot.EnvironmentVariables.Select(v => v.Name).ToList();
                Assert.Contains("OTEL_SERVICE_NAME", variables);
                Assert.DoesNotContain("OTEL_EXPORTER_OTLP_ENDPOINT", variables);
            }
        }

        Assert.DoesNotContain("Execution attempt", fleet.Logs("smtp"), StringComparison.Ordinal);
    }

    private Dictionary<string, int> Relayed(string marker) =>
        fleet.Sink.Received.Where(entry => entry.Key.Contains(marker, StringComparison.Ordinal)).ToDictionary();

    private Task<long> CertificatesAsync(Guid vaultboxId) =>
        fleet.ScalarAsync<long>("SELECT count(*) FROM vaultbox_certs WHERE vaultbox_id = $1", vaultboxId);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

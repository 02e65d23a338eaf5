using Encimap.Certificates.Tests.Infrastructure;
using Encimap.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.Certificates.Tests;

public sealed class RenewalTests
{
    [Fact]
    public async Task Renewal_pass_gives_expiring_certificates_a_successor_and_marks_expired_ones()
    {
        await using var databases = await TestDatabases.CreateAsync();
        await using var server = await CertificatesServer.StartAsync(databases.EncimapApp);
        var issuer = server.Services.GetRequiredService<CertificateIssuer>();
        var renewal = server.Services.GetRequiredService<CertificateRenewal>();
        var now = DateTimeOffset.UtcNow;

        var (expiring, expiringAddress) = await TestData.CreateVaultboxAsync(databases);
        var expiringCert = await TestData.StoreAsync(databases, expiring, issuer.Issue(expiringAddress, validityDays: 10));

        var (fresh, freshAddress) = await TestData.CreateVaultboxAsync(databases);
        var freshCert = await TestData.StoreAsync(databases, fresh, issuer.Issue(freshAddress));

        var (lapsed, lapsedAddress) = await TestData.CreateVaultboxAsync(databases);
        var lapsedCert = await TestData.StoreAsync(databases, lapsed,
            issuer.Issue(lapsedAddress, now.AddDays(-400), now.AddDays(-1), 0, "test"));

        // A vaultbox whose only certificate was revoked is left to a person.
        var (revoked, revokedAddress) = await TestData.CreateVaultboxAsync(databases);
        var revokedCert = await TestData.StoreAsync(databases, revoked, issuer.Issue(revokedAddress, validityDays: 5));
        await TestData.ScalarAsync<object>(databases.EncimapOwner, "UPDATE vaultbox_certs SET status = 'revoked' WHERE id = @id", ("id", revokedCert));

        var result = await renewal.RunOnceAsync(CancellationToken.None);
        Assert.Equal(new RenewalPassResult(Renewed: 2, MarkedExpired: 1, Failed: 0), result);

        // The expiring certificate stays active next to its successor: mail goes to both.
        var expiringRows = await StatusesAsync(databases, expiring);
        Assert.Equal(2, expiringRows.Count);
        Assert.All(expiringRows, row => Assert.Equal("active", row.Status));
        Assert.Contains(expiringRows, row => row.Id == expiringCert);
        var successor = expiringRows.Single(row => row.Id != expiringCert);
        Assert.InRange((successor.NotAfter - now).TotalDays, 364.9, 365.1);
        var recipients = await server.Client.GetRecipientCertificatesAsync(new() { VaultboxId = expiring.ToString() });
        Assert.Equal([successor.Id.ToString(), expiringCert.ToString()], recipients.Certificates.Select(c => c.CertificateId));
        // And the successor's key is stored and exports with the old one.
        await server.Client.ExportPkcs12Async(new() { VaultboxId = expiring.ToString(), Password = "long enough" });

        var lapsedRows = await StatusesAsync(databases, lapsed);
        Assert.Equal("expired", lapsedRows.Single(row => row.Id == lapsedCert).Status);
        Assert.Equal("active", lapsedRows.Single(row => row.Id != lapsedCert).Status);

        Assert.Equal(freshCert, Assert.Single(await StatusesAsync(databases, fresh)).Id);
        Assert.Equal("revoked", Assert.Single(await StatusesAsync(databases, revoked)).Status);

        // A second pass has nothing left to do.
        Assert.Equal(new RenewalPassResult(0, 0, 0), await renewal.RunOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_renewal_passes_renew_each_vaultbox_once()
    {
        await using var databases = await TestDatabases.CreateAsync();
        await using var first = await CertificatesServer.StartAsync(databases.EncimapApp);
        await using var second = await CertificatesServer.StartAsync(databases.EncimapApp, kekDirectory: first.KekDirectory);
        var issuer = first.Services.GetRequiredService<CertificateIssuer>();
        var vaultboxes = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            var (id, address) = await TestData.CreateVaultboxAsync(databases);
            await TestData.StoreAsync(databases, id, issuer.Issue(address, validityDays: 3));
            vaultboxes.Add(id);
        }

        var passes = await Task.WhenAll(
            first.Services.GetRequiredService<CertificateRenewal>().RunOnceAsync(CancellationToken.None),
            second.Services.GetRequiredService<CertificateRenewal>().RunOnceAsync(CancellationToken.None));

        Assert.Equal(6, passes.Sum(pass => pass.Renewed));
        foreach (var id in vaultboxes)
        {
            Assert.Equal(2, (await StatusesAsync(databases, id)).Count);
        }
    }

    [Fact]
    public async Task Renewal_lock_admits_one_renewer_when_racers_commit_back_to_back()
    {
        // Renewers here hold the lock only as long as an insert takes, so the others keep
        // arriving just as the winner commits: the moment when a check that took its snapshot
        // before that commit would let a second renewer through. A vaultbox without an active
        // certificate is due; each round removes the successor again and races anew.
        const int Rounds = 600, Racers = 4;
        await using var databases = await TestDatabases.CreateAsync();
        await using var server = await CertificatesServer.StartAsync(databases.EncimapApp);
        var (vaultbox, address) = await TestData.CreateVaultboxAsync(databases);
        var successor = server.Services.GetRequiredService<CertificateIssuer>().Issue(address);
        var renewBefore = DateTimeOffset.UtcNow.AddDays(30);
        var connections = new List<Npgsql.NpgsqlConnection>();
        try
        {
            for (var i = 0; i < Racers; i++)
            {
                var connection = new Npgsql.NpgsqlConnection(databases.EncimapApp);
                await connection.OpenAsync();
                connections.Add(connection);
            }
            var doubleRenewals = 0;
            for (var round = 0; round < Rounds; round++)
            {
                using var start = new Barrier(Racers);
                var wins = await Task.WhenAll(connections.Select(connection => Task.Run(async () =>
                {
                    start.SignalAndWait();
                    // Spread the arrivals over about the time one renewer's transaction takes.
                    SpinFor(TimeSpan.FromMicroseconds(Random.Shared.Next(0, 1500)));
                    await using var transaction = await connection.BeginTransactionAsync();
                    if (!await Encimap.Storage.CertificateRecords.TryLockForRenewalAsync(connection, transaction, vaultbox, renewBefore))
                    {
                        return 0;
                    }
                    try
                    {
                        await Encimap.Storage.CertificateRecords.InsertAsync(connection, transaction, vaultbox, successor);
                        await transaction.CommitAsync();
                    }
                    catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation)
                    {
                        // A second winner inserting the same successor again: still a second renewal.
                    }
                    return 1;
                })));
                Assert.NotEqual(0, wins.Sum());
                doubleRenewals += wins.Sum() - 1;
                await TestData.ScalarAsync<object>(databases.EncimapOwner, "DELETE FROM vaultbox_certs WHERE vaultbox_id = @id", ("id", vaultbox));
            }
            Assert.Equal(0, doubleRenewals);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static void SpinFor(TimeSpan duration)
    {
        var until = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(10);
        }
    }

    private static async Task<List<(Guid Id, string Status, DateTimeOffset NotAfter)>> StatusesAsync(TestDatabasePair databases, Guid vaultboxId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(databases.EncimapOwner);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT id, status, not_after FROM vaultbox_certs WHERE vaultbox_id = @id ORDER BY not_after", connection);
        command.Parameters.AddWithValue("id", vaultboxId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(Guid, string, DateTimeOffset)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetGuid(0), reader.GetString(1), new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero)));
        }
        return rows;
    }
}

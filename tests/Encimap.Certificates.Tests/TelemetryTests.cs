using System.Diagnostics;
using Encimap.Certificates.Tests.Infrastructure;
using Encimap.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Trace;

namespace Encimap.Certificates.Tests;

/// <summary>
/// The traces an SRE reads: an idle service (key pool filled, renewal passes every 200 ms that
/// find nothing) exports no trace at all; a pass that renews is one trace; a pass that fails is a
/// span with an error status. Alone in its collection: every tracer provider of the test process
/// sees every span, and another test's requests must not count as this service's.
/// </summary>
[Collection(QuietTelemetryCollection.Name)]
public sealed class TelemetryTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task An_idle_service_exports_no_trace_and_a_renewal_pass_that_works_is_one()
    {
        await using var databases = await TestDatabases.CreateAsync();
        var exported = new List<Activity>();
        await using var server = await StartAsync(databases, exported);
        await server.Services.GetRequiredService<RsaKeyPool>().WaitUntilFullAsync();

        await Task.Delay(Idle);

        Assert.Empty(Snapshot(exported));

        var issuer = server.Services.GetRequiredService<CertificateIssuer>();
        var (vaultbox, address) = await TestData.CreateVaultboxAsync(databases);
        var expiring = issuer.Issue(address, validityDays: 5);
        var issuedByTheTest = Snapshot(exported).Count;
        await TestData.StoreAsync(databases, vaultbox, expiring);
        var pass = await WaitForAsync(exported, a => a.DisplayName == "certificates.renewal_pass");

        Assert.Equal(default, pass.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Unset, pass.Status);
        Assert.Equal(1, pass.GetTagItem("encimap.renewal.renewed"));
        var trace = Snapshot(exported).Where(a => a.TraceId == pass.TraceId).ToList();
        Assert.Contains(trace, a => a.DisplayName == "certificates.renew" && a.ParentSpanId == pass.SpanId);
        Assert.Contains(trace, a => a.Source.Name == "Npgsql");
        // Everything exported since belongs to that one trace: the idle passes around it left none.
        Assert.All(Snapshot(exported).Skip(issuedByTheTest), a => Assert.Equal(pass.TraceId, a.TraceId));
    }

    [Fact]
    public async Task A_pass_that_fails_is_a_span_with_an_error_status()
    {
        await using var databases = await TestDatabases.CreateAsync();
        var exported = new List<Activity>();
        await using var server = await StartAsync(databases, exported);

        await SetConnectionsAllowedAsync(databases, false);
        try
        {
            var failed = await WaitForAsync(exported, a => a.DisplayName == "certificates.renewal_pass");

            Assert.Equal(ActivityStatusCode.Error, failed.Status);
            Assert.False(string.IsNullOrWhiteSpace(failed.StatusDescription));
        }
        finally
        {
            await SetConnectionsAllowedAsync(databases, true);
        }
    }

    private static Task<CertificatesServer> StartAsync(TestDatabasePair databases, List<Activity> exported) =>
        CertificatesServer.StartAsync(
            databases.EncimapApp,
            settings =>
            {
                settings["Certificates:RenewalFirstRunDelay"] = "00:00:00";
                settings["Certificates:RenewalInterval"] = "00:00:00.200";
            },
            configure: builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(exported)));

    // Refusing new connections and ending the current ones is, for the service, the database going away.
    private static async Task SetConnectionsAllowedAsync(TestDatabasePair databases, bool allowed)
    {
        await using var connection = new NpgsqlConnection(databases.Superuser("postgres"));
        await connection.OpenAsync();
        var database = databases.EncimapDatabase;
        await using var alter = new NpgsqlCommand($"ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS {(allowed ? "true" : "false")}", connection);
        await alter.ExecuteNonQueryAsync();
        if (!allowed)
        {
            await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", connection);
            terminate.Parameters.AddWithValue(database);
            await terminate.ExecuteNonQueryAsync();
        }
    }

    private static List<Activity> Snapshot(List<Activity> exported)
    {
        lock (exported)
        {
            return [.. exported];
        }
    }

    private static async Task<Activity> WaitForAsync(List<Activity> exported, Func<Activity, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (Snapshot(exported).FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the span was never exported; exported: " + string.Join(", ", Snapshot(exported).Select(a => a.DisplayName)));
    }
}

/// <summary>Tests that read the process's spans run alone, after the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QuietTelemetryCollection
{
    public const string Name = "quiet telemetry";
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Encimap.Database;
using Encimap.ServiceDefaults.Security;
using Encimap.Testing;
using Npgsql;

namespace Encimap.Benchmarks;

/// <summary>
/// The API as deployed: the API and certificate service processes over a PostgreSQL cluster with
/// fsync on. Reports vaultbox creation latency (HTTP → platform check → certificate from the warm
/// key pool over gRPC → one transaction) at concurrency 1 and 8, and the latency of listing a
/// user's vaultboxes when the user has 10,000 of them.
/// </summary>
public sealed class ApiBenchmark : IBenchmark
{
    private static readonly TimeSpan PoolRefill = TimeSpan.FromSeconds(25);

    public string Description => "vaultbox creation p50/p95/p99 at concurrency 1 and 8 (key pool warm), list with 10,000 vaultboxes [--creates 64] [--vaultboxes 10000] [--lists 30]";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var creates = arguments.GetInt("creates", 64);
        var listSize = arguments.GetInt("vaultboxes", 10_000);
        var lists = arguments.GetInt("lists", 30);
        var directory = Directory.CreateTempSubdirectory("encimap-bench-api-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        await using var cluster = await EmbeddedPostgresCluster.StartAsync(new EmbeddedPostgresOptions
        {
            Directory = directory,
            StopWhenProcessExits = true,
            DeleteDirectoryOnStop = true,
        });
        var setup = await new DatabaseProvisioner().SetUpAsync(cluster.SuperuserConnectionString);
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var certificatesGrpc = ServiceProcess.FreePort();
        await using var certificates = await ServiceProcess.StartAsync("Encimap.Certificates", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = setup.Databases.EncimapAppConnectionString,
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{certificatesGrpc}",
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["Certificates__KekDirectory"] = Path.Combine(directory, "kek"),
            ["Certificates__GenerateDevelopmentKek"] = "true",
            ["Certificates__KeyPoolSize"] = creates.ToString(),
            ["Jwt__S2S__SigningKey"] = signingKey,
            ["Logging__LogLevel__Default"] = "Warning",
        });
        await using var api = await ServiceProcess.StartAsync("Encimap.Api", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = setup.Databases.EncimapAppConnectionString,
            ["ConnectionStrings__platform"] = setup.Databases.PlatformReaderConnectionString,
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}",
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = $"http://127.0.0.1:{certificatesGrpc}",
            ["services__certificates__http__0"] = certificates.Http.AbsoluteUri,
            ["Jwt__S2S__SigningKey"] = signingKey,
            ["Logging__LogLevel__Default"] = "Warning",
        });

        var (userId, domain) = await AddUserWithDomainAsync(setup.Databases.PlatformOwnerConnectionString);
        using var http = new HttpClient { BaseAddress = api.Http };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", new JwtTokenIssuer(new JwtOptions { SigningKey = signingKey }).Mint(userId.ToString(), TimeSpan.FromHours(2)));

        Console.WriteLine($"PostgreSQL {cluster.MajorVersion}, fsync on; key pool {creates}; {Environment.ProcessorCount} cores");
        Console.WriteLine("| what                                  | conc |    n |     p50 |     p95 |     p99 |");
        Console.WriteLine("|---------------------------------------|------|------|---------|---------|---------|");
        await CreateAsync(http, domain, "warmup", 0, 4, 1); // JIT, connection pools
        foreach (var concurrency in new[] { 1, 8 })
        {
            await Task.Delay(PoolRefill); // let the certificate service refill its key pool
            var samples = await CreateAsync(http, domain, $"c{concurrency}", 0, creates, concurrency);
            Print($"create vaultbox (pool warm)", concurrency, samples);
        }

        await AddVaultboxesAsync(setup.Databases.EncimapOwnerConnectionString, userId, domain, listSize);
        var (listSamples, bytes) = await ListAsync(http, lists);
        Print($"list {listSize:N0} vaultboxes ({bytes / 1024:N0} KiB)", 1, listSamples);
        return 0;
    }

    private static async Task<List<double>> CreateAsync(HttpClient http, string domain, string prefix, int start, int count, int concurrency)
    {
        var samples = new List<double>();
        var next = start - 1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < start + count)
            {
                var clock = Stopwatch.StartNew();
                using var response = await http.PostAsJsonAsync("/s2s/v1/vaultboxes", new { domain, alias = $"{prefix}-{i}" });
                response.EnsureSuccessStatusCode();
                lock (samples)
                {
                    samples.Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }));
        return samples;
    }

    private static async Task<(List<double> Samples, long Bytes)> ListAsync(HttpClient http, int count)
    {
        var samples = new List<double>();
        long bytes = 0;
        for (var i = 0; i < count + 3; i++)
        {
            var clock = Stopwatch.StartNew();
            var body = await http.GetByteArrayAsync("/s2s/v1/vaultboxes");
            if (i >= 3)
            {
                samples.Add(clock.Elapsed.TotalMilliseconds);
            }

            bytes = body.Length;
        }

        return (samples, bytes);
    }

    private static async Task<(Guid UserId, string Domain)> AddUserWithDomainAsync(string platformOwner)
    {
        var userId = Guid.NewGuid();
        const string domain = "bench.example";
        await using var connection = new NpgsqlConnection(platformOwner);
        await connection.OpenAsync();
        await using var user = new NpgsqlCommand("INSERT INTO users (id, email) VALUES ($1, 'bench@bench.example')", connection);
        user.Parameters.AddWithValue(userId);
        await user.ExecuteNonQueryAsync();
        await using var owned = new NpgsqlCommand("INSERT INTO domains (user_id, domain, verification_status) VALUES ($1, $2, 'verified')", connection);
        owned.Parameters.AddWithValue(userId);
        owned.Parameters.AddWithValue(domain);
        await owned.ExecuteNonQueryAsync();
        return (userId, domain);
    }

    // The list's per-row work (certificate and message-count look-ups) needs realistic rows: each
    // bulk vaultbox gets a copy of a real certificate row.
    private static async Task AddVaultboxesAsync(string encimapOwner, Guid userId, string domain, int count)
    {
        await using var connection = new NpgsqlConnection(encimapOwner);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            """
            WITH boxes AS (
                INSERT INTO vaultboxes (user_id, domain, alias)
                SELECT $1, $2, 'bulk-' || n FROM generate_series(1, $3) n
                RETURNING id)
            INSERT INTO vaultbox_certs (vaultbox_id, certificate_der, serial_number, thumbprint_sha256, subject, not_before, not_after)
            SELECT b.id, c.certificate_der, c.serial_number, encode(sha256(b.id::text::bytea), 'hex'), c.subject, c.not_before, c.not_after
            FROM boxes b, (SELECT * FROM vaultbox_certs LIMIT 1) c
            """,
            connection);
        insert.Parameters.AddWithValue(userId);
        insert.Parameters.AddWithValue(domain);
        insert.Parameters.AddWithValue(count);
        insert.CommandTimeout = 300;
        await insert.ExecuteNonQueryAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    private static void Print(string what, int concurrency, List<double> samples)
    {
        samples.Sort();
        Console.WriteLine($"| {what,-37} | {concurrency,4} | {samples.Count,4} | {Percentile(samples, 0.50),5:N1}ms | {Percentile(samples, 0.95),5:N1}ms | {Percentile(samples, 0.99),5:N1}ms |");
    }

    private static double Percentile(List<double> sorted, double fraction) =>
        sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(fraction * sorted.Count) - 1)];
}

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
/// What the gateway adds to a request: the same <c>GET</c> of a user's vaultbox list (20 of them)
/// directly from the API (<c>/s2s/v1/vaultboxes</c>, S2S token) and through the gateway
/// (<c>/api/encrypted-imap/vaultboxes</c>, user token: validation, rate limiting, a freshly minted
/// S2S token, YARP forwarding). Direct and proxied rounds alternate so that drift on a shared
/// machine hits both alike; the overhead is the difference of the percentiles.
/// </summary>
public sealed class GatewayBenchmark : IBenchmark
{
    private const int Rounds = 5;

    public string Description => "gateway overhead: p50/p95 of a proxied vaultbox list minus the direct one, concurrency 1 and 16 [--requests 2000] [--concurrency 1,16] [--vaultboxes 20]";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var requests = arguments.GetInt("requests", 2000);
        var levels = arguments.GetInts("concurrency", [1, 16]);
        var vaultboxes = arguments.GetInt("vaultboxes", 20);
        var directory = Directory.CreateTempSubdirectory("encimap-bench-gateway-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        await using var cluster = await EmbeddedPostgresCluster.StartAsync(new EmbeddedPostgresOptions
        {
            Directory = directory,
            StopWhenProcessExits = true,
            DeleteDirectoryOnStop = true,
        });
        var setup = await new DatabaseProvisioner().SetUpAsync(cluster.SuperuserConnectionString);
        var s2sKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var userKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var certificatesGrpc = ServiceProcess.FreePort();
        await using var certificates = await ServiceProcess.StartAsync("Encimap.Certificates", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = setup.Databases.EncimapAppConnectionString,
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{certificatesGrpc}",
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["Certificates__KekDirectory"] = Path.Combine(directory, "kek"),
            ["Certificates__GenerateDevelopmentKek"] = "true",
            ["Certificates__KeyPoolSize"] = vaultboxes.ToString(),
            ["Jwt__S2S__SigningKey"] = s2sKey,
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
            ["Jwt__S2S__SigningKey"] = s2sKey,
            ["Logging__LogLevel__Default"] = "Warning",
        });
        await using var gateway = await ServiceProcess.StartAsync("Encimap.Gateway", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["services__api__http__0"] = api.Http.AbsoluteUri,
            ["Jwt__S2S__SigningKey"] = s2sKey,
            ["Jwt__User__SigningKey"] = userKey,
            // The limiters run (their cost is part of the overhead) but never reject.
            ["Gateway__RateLimits__PermitsPerUser"] = "1000000000",
            ["Gateway__RateLimits__PermitsPerIp"] = "1000000000",
            ["Logging__LogLevel__Default"] = "Warning",
        });

        var (userId, domain) = await AddUserWithDomainAsync(setup.Databases.PlatformOwnerConnectionString);
        using var direct = Client(api.Http, new JwtTokenIssuer(new JwtOptions { SigningKey = s2sKey }).Mint(userId.ToString(), TimeSpan.FromHours(2)));
        using var proxied = Client(gateway.Http, new JwtTokenIssuer(new JwtOptions
        {
            SigningKey = userKey,
            Issuer = "motorical-platform",
            Audience = "encimap-gateway",
        }).Mint(userId.ToString(), TimeSpan.FromHours(2)));
        for (var i = 0; i < vaultboxes; i++)
        {
            using var created = await direct.PostAsJsonAsync("/s2s/v1/vaultboxes", new { domain, alias = $"box-{i}" });
            created.EnsureSuccessStatusCode();
        }

        const string directPath = "/s2s/v1/vaultboxes";
        const string proxiedPath = "/api/encrypted-imap/vaultboxes";
        var size = (await proxied.GetByteArrayAsync(proxiedPath)).Length;
        if (size != (await direct.GetByteArrayAsync(directPath)).Length)
        {
            throw new InvalidOperationException("the proxied and the direct list differ");
        }

        // JIT, connection pools, PostgreSQL caches.
        await MeasureAsync(direct, directPath, 300, 4);
        await MeasureAsync(proxied, proxiedPath, 300, 4);

        Console.WriteLine($"PostgreSQL {cluster.MajorVersion}; {Environment.ProcessorCount} cores; list of {vaultboxes} vaultboxes ({size:N0} bytes); {requests} requests per path and concurrency");
        Console.WriteLine("| conc | path          |     p50 |     p95 |     p99 |   req/s |");
        Console.WriteLine("|------|---------------|---------|---------|---------|---------|");
        var overheads = new List<string>();
        foreach (var concurrency in levels)
        {
            var directSamples = new List<double>();
            var proxiedSamples = new List<double>();
            var directTime = TimeSpan.Zero;
            var proxiedTime = TimeSpan.Zero;
            for (var round = 0; round < Rounds; round++)
            {
                var (d, dt) = await MeasureAsync(direct, directPath, requests / Rounds, concurrency);
                var (p, pt) = await MeasureAsync(proxied, proxiedPath, requests / Rounds, concurrency);
                directSamples.AddRange(d);
                proxiedSamples.AddRange(p);
                directTime += dt;
                proxiedTime += pt;
            }

            directSamples.Sort();
            proxiedSamples.Sort();
            Print(concurrency, "direct API", directSamples, directTime);
            Print(concurrency, "via gateway", proxiedSamples, proxiedTime);
            overheads.Add(
                $"concurrency {concurrency,2}: gateway overhead p50 {Percentile(proxiedSamples, 0.50) - Percentile(directSamples, 0.50):+0.00;-0.00} ms, " +
                $"p95 {Percentile(proxiedSamples, 0.95) - Percentile(directSamples, 0.95):+0.00;-0.00} ms");
        }

        Console.WriteLine();
        overheads.ForEach(Console.WriteLine);
        return 0;
    }

    private static HttpClient Client(Uri address, string token)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<(List<double> Samples, TimeSpan Elapsed)> MeasureAsync(HttpClient http, string path, int count, int concurrency)
    {
        var samples = new List<double>(count);
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                var clock = Stopwatch.StartNew();
                using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
                response.EnsureSuccessStatusCode();
                var elapsed = clock.Elapsed.TotalMilliseconds;
                lock (samples)
                {
                    samples.Add(elapsed);
                }
            }
        }));
        return (samples, total.Elapsed);
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

    private static void Print(int concurrency, string path, List<double> sorted, TimeSpan elapsed) =>
        Console.WriteLine(
            $"| {concurrency,4} | {path,-13} | {Percentile(sorted, 0.50),5:N2}ms | {Percentile(sorted, 0.95),5:N2}ms | {Percentile(sorted, 0.99),5:N2}ms | {sorted.Count / elapsed.TotalSeconds,7:N0} |");

    private static double Percentile(List<double> sorted, double fraction) =>
        sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(fraction * sorted.Count) - 1)];
}

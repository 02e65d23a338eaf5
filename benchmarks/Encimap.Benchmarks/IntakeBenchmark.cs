using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Encimap.Contracts.Intake;
using Encimap.Database;
using Encimap.ServiceDefaults.Security;
using Encimap.Testing;
using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using IntakeContract = Encimap.Contracts.Intake.Intake;

namespace Encimap.Benchmarks;

/// <summary>
/// The intake as deployed: certificate service, API (to create the vaultbox) and intake processes
/// over a PostgreSQL cluster with fsync on. Reports gRPC Deliver throughput — certificate lookup,
/// CMS encryption and a durable commit per message — for 5 KB and 100 KB messages at concurrency
/// 1, 10 and 20, and the intake process's peak resident memory (VmHWM) while it delivers one
/// 50 MiB message, measured in a fresh intake process.
/// </summary>
public sealed class IntakeBenchmark : IBenchmark
{
    private const int FiftyMiB = 50 * 1024 * 1024;

    public string Description => "gRPC Deliver/s for 5 KB and 100 KB at concurrency 1, 10, 20 (fsync on); intake VmHWM for one 50 MiB message [--seconds 10] [--concurrency 1,10,20]";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var seconds = arguments.GetInt("seconds", 10);
        var concurrencies = arguments.GetInts("concurrency", [1, 10, 20]);
        var directory = Directory.CreateTempSubdirectory("encimap-bench-intake-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        await using var cluster = await EmbeddedPostgresCluster.StartAsync(new EmbeddedPostgresOptions
        {
            Directory = directory,
            StopWhenProcessExits = true,
            DeleteDirectoryOnStop = true,
        });
        var setup = await new DatabaseProvisioner().SetUpAsync(cluster.SuperuserConnectionString);
        var databases = setup.Databases;
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var certificatesGrpc = ServiceProcess.FreePort();
        await using var certificates = await ServiceProcess.StartAsync("Encimap.Certificates", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{certificatesGrpc}",
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["Certificates__KekDirectory"] = Path.Combine(directory, "kek"),
            ["Certificates__GenerateDevelopmentKek"] = "true",
            ["Jwt__S2S__SigningKey"] = signingKey,
            ["Logging__LogLevel__Default"] = "Warning",
        });
        await using var api = await ServiceProcess.StartAsync("Encimap.Api", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
            ["ConnectionStrings__platform"] = databases.PlatformReaderConnectionString,
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}",
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = $"http://127.0.0.1:{certificatesGrpc}",
            ["Jwt__S2S__SigningKey"] = signingKey,
            ["Logging__LogLevel__Default"] = "Warning",
        });
        var intakeEnvironment = new Dictionary<string, string>
        {
            ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
            ["services__certificates__grpc__0"] = $"http://127.0.0.1:{certificatesGrpc}",
            ["Jwt__S2S__SigningKey"] = signingKey,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
        };

        var address = await CreateVaultboxAsync(databases.PlatformOwnerConnectionString, api.Http, signingKey);
        Console.WriteLine($"PostgreSQL {cluster.MajorVersion}, fsync on; {Environment.ProcessorCount} cores; RSA-2048, AES-256-CBC, one certificate; {seconds} s per row");
        Console.WriteLine("| message | conc | deliveries |  per second |     p50 |     p99 |");
        Console.WriteLine("|---------|------|------------|-------------|---------|---------|");
        var grpc = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort()}");
        await using (var intake = await ServiceProcess.StartAsync("Encimap.Intake", ServiceProcess.FreePort(),
            new Dictionary<string, string>(intakeEnvironment) { ["Kestrel__Endpoints__grpc__Url"] = grpc.AbsoluteUri }))
        {
            await using var clients = Clients(grpc, signingKey);
            var client = clients.GetRequiredService<IntakeContract.IntakeClient>();
            await DeliverForAsync(client, address, 5 * 1024, 4, TimeSpan.FromSeconds(3)); // JIT, pools, HTTP/2 connection
            foreach (var size in new[] { 5 * 1024, 100 * 1024 })
            {
                foreach (var concurrency in concurrencies)
                {
                    var (count, elapsed, samples) = await DeliverForAsync(client, address, size, concurrency, TimeSpan.FromSeconds(seconds));
                    samples.Sort();
                    Console.WriteLine($"| {size / 1024,4} KB | {concurrency,4} | {count,10} | {count / elapsed.TotalSeconds,11:N1} | {Percentile(samples, 0.50),5:N1}ms | {Percentile(samples, 0.99),5:N1}ms |");
                }
            }
        }

        // Memory: a fresh intake, warmed with one small message, then one message of 50 MiB.
        var memoryGrpc = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort()}");
        await using (var intake = await ServiceProcess.StartAsync("Encimap.Intake", ServiceProcess.FreePort(),
            new Dictionary<string, string>(intakeEnvironment) { ["Kestrel__Endpoints__grpc__Url"] = memoryGrpc.AbsoluteUri }))
        {
            await using var clients = Clients(memoryGrpc, signingKey);
            var client = clients.GetRequiredService<IntakeContract.IntakeClient>();
            await DeliverOneAsync(client, address, Message(5 * 1024));
            var before = VmHwmKiB(intake.Pid);
            var big = Message(FiftyMiB);
            var clock = Stopwatch.StartNew();
            await DeliverOneAsync(client, address, big);
            var took = clock.Elapsed;
            var peak = VmHwmKiB(intake.Pid);
            Console.WriteLine();
            Console.WriteLine($"one {FiftyMiB / 1024 / 1024} MiB message: delivered in {took.TotalSeconds:N2} s; intake VmHWM {before / 1024.0:N0} MiB after warm-up -> {peak / 1024.0:N0} MiB peak");
        }

        return 0;
    }

    private static ServiceProvider Clients(Uri grpc, string signingKey)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Jwt:S2S:SigningKey"] = signingKey })
            .Build());
        services.AddInternalGrpcClient<IntakeContract.IntakeClient>(IntakeContract.Descriptor, "intake", caller: "benchmark", address: grpc);
        return services.BuildServiceProvider();
    }

    private static async Task<(int Count, TimeSpan Elapsed, List<double> Samples)> DeliverForAsync(
        IntakeContract.IntakeClient client, string address, int size, int concurrency, TimeSpan duration)
    {
        var template = Message(size);
        var samples = new List<double>();
        var count = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                await DeliverOneAsync(client, address, Unique(template));
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (samples)
                {
                    samples.Add(ms);
                    count++;
                }
            }
        }));
        return (count, clock.Elapsed, samples);
    }

    private static async Task DeliverOneAsync(IntakeContract.IntakeClient client, string address, byte[] raw)
    {
        var request = new DeliverRequest
        {
            EnvelopeSender = "bench@sender.example",
            RawMessage = ByteString.CopyFrom(raw),
            ClientAddress = "192.0.2.1",
            ClientHelo = "mx.sender.example",
        };
        request.Recipients.Add(address);
        var reply = await client.DeliverAsync(request, deadline: DateTime.UtcNow.AddMinutes(2));
        if (reply.Results[0].Outcome != DeliveryOutcome.Stored)
        {
            throw new InvalidOperationException($"delivery ended {reply.Results[0].Outcome}");
        }
    }

    // A message of exactly `size` bytes whose Message-ID line starts with 32 hex digits to overwrite.
    private static byte[] Message(int size)
    {
        var head = Encoding.ASCII.GetBytes(
            "Message-ID: <00000000000000000000000000000000@sender.example>\r\n" +
            "From: Bench <bench@sender.example>\r\nTo: box@bench.example\r\nDate: Thu, 19 Nov 2026 10:00:00 +0000\r\n" +
            "Subject: intake benchmark\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
        var raw = new byte[size];
        head.CopyTo(raw, 0);
        for (var i = head.Length; i < size; i++)
        {
            raw[i] = (i % 78) switch { 76 => (byte)'\r', 77 => (byte)'\n', _ => (byte)('a' + (i % 26)) };
        }

        return raw;
    }

    private static byte[] Unique(byte[] template)
    {
        var copy = (byte[])template.Clone();
        Encoding.ASCII.GetBytes(Guid.NewGuid().ToString("N")).CopyTo(copy, "Message-ID: <".Length);
        return copy;
    }

    private static long VmHwmKiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]);
    }

    private static async Task<string> CreateVaultboxAsync(string platformOwner, Uri api, string signingKey)
    {
        var userId = Guid.NewGuid();
        const string domain = "bench.example";
        await using (var connection = new NpgsqlConnection(platformOwner))
        {
            await connection.OpenAsync();
            await using var user = new NpgsqlCommand("INSERT INTO users (id, email) VALUES ($1, 'bench@bench.example')", connection);
            user.Parameters.AddWithValue(userId);
            await user.ExecuteNonQueryAsync();
            await using var owned = new NpgsqlCommand("INSERT INTO domains (user_id, domain, verification_status) VALUES ($1, $2, 'verified')", connection);
            owned.Parameters.AddWithValue(userId);
            owned.Parameters.AddWithValue(domain);
            await owned.ExecuteNonQueryAsync();
        }

        using var http = new HttpClient { BaseAddress = api };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", new JwtTokenIssuer(new JwtOptions { SigningKey = signingKey }).Mint(userId.ToString(), TimeSpan.FromHours(2)));
        using var response = await http.PostAsJsonAsync("/s2s/v1/vaultboxes", new { domain, alias = "box" });
        response.EnsureSuccessStatusCode();
        _ = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return $"box@{domain}";
    }

    private static double Percentile(List<double> sorted, double fraction) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(fraction * sorted.Count) - 1)];
}

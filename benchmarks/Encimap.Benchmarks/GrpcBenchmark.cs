using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Google.Protobuf;
using Encimap.Contracts.Intake;
using Encimap.ServiceDefaults.Security;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using IntakeContract = Encimap.Contracts.Intake.Intake;

namespace Encimap.Benchmarks;

/// <summary>
/// gRPC end to end on loopback (Kestrel + grpc-dotnet server, one process): sequential unary
/// latency, then throughput at a few concurrency levels. The client is registered as the services
/// register theirs (Grpc.Net.ClientFactory, token interceptor, retry policy of the idempotent
/// methods); the server, like the earlier transport's benchmark, checks no token. The call is
/// Intake.ResolveRecipient with a trivial handler, so the figures are the transport's own cost.
/// </summary>
public sealed class GrpcBenchmark : IBenchmark
{
    private static readonly TimeSpan TimeLimitPerPhase = TimeSpan.FromSeconds(60);

    public string Description => "unary round trip p50/p99 and calls/s at concurrency; --payload N adds a sequential Deliver of N KB answered at once [--calls 5000] [--concurrency 16,64] [--concurrent-calls 20000] [--payload 100]";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var calls = arguments.GetInt("calls", 5_000);
        var concurrentCalls = arguments.GetInt("concurrent-calls", 20_000);
        var concurrencyLevels = arguments.GetInts("concurrency", [16, 64]);
        var payloadKb = arguments.GetInt("payload", 100);

        await using var server = await StartServerAsync();
        await using var clients = Clients(server.Urls.Select(u => new Uri(u)).Single());
        var client = clients.GetRequiredService<IntakeContract.IntakeClient>();

        var resolve = new ResolveRecipientRequest { Address = "alice@example.org" };
        Task Resolve() => client.ResolveRecipientAsync(resolve).ResponseAsync;
        await RunSequentialAsync(Resolve, Math.Min(1_000, calls));   // warm-up: JIT, connection, tiering
        var latency = await RunSequentialAsync(Resolve, calls);
        Console.WriteLine("| phase      | concurrency |   calls | result            |   elapsed |");
        Console.WriteLine("|------------|-------------|---------|-------------------|-----------|");
        PrintLatency("sequential", calls, latency);

        if (payloadKb > 0)
        {
            // The transport of a message as the SMTP gateway hands it to the intake, without the delivery.
            var deliver = new DeliverRequest { RawMessage = ByteString.CopyFrom(new byte[payloadKb * 1024]) };
            Task Deliver() => client.DeliverAsync(deliver).ResponseAsync;
            await RunSequentialAsync(Deliver, Math.Min(1_000, calls));
            PrintLatency($"{payloadKb} KB", calls, await RunSequentialAsync(Deliver, calls));
        }

        foreach (var concurrency in concurrencyLevels)
        {
            await RunConcurrentAsync(client, concurrency, Math.Min(2_000, concurrentCalls));  // warm-up
            var (completed, elapsed) = await RunConcurrentAsync(client, concurrency, concurrentCalls);
            Console.WriteLine($"| concurrent | {concurrency,11} | {completed,7} | {completed / elapsed.TotalSeconds,10:N0} calls/s | {elapsed.TotalSeconds,7:N2} s |");
        }

        return 0;
    }

    private static async Task<WebApplication> StartServerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<TrivialIntake>();
        await app.StartAsync();
        return app;
    }

    private static ServiceProvider Clients(Uri address)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Jwt:S2S:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)) })
            .Build());
        services.AddInternalGrpcClient<IntakeContract.IntakeClient>(IntakeContract.Descriptor, "intake", caller: "benchmark", address: address);
        return services.BuildServiceProvider();
    }

    /// <summary>Each call's round trip in microseconds, one call at a time, sorted.</summary>
    private static async Task<double[]> RunSequentialAsync(Func<Task> call, int calls)
    {
        var micros = new List<double>(calls);
        var limit = Stopwatch.StartNew();
        for (var i = 0; i < calls && limit.Elapsed < TimeLimitPerPhase; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            micros.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        micros.Sort();
        return [.. micros];
    }

    private static async Task<(int Completed, TimeSpan Elapsed)> RunConcurrentAsync(IntakeContract.IntakeClient client, int concurrency, int calls)
    {
        var request = new ResolveRecipientRequest { Address = "alice@example.org" };
        var remaining = calls;
        var completed = 0;
        var watch = Stopwatch.StartNew();

        async Task WorkerAsync()
        {
            while (Interlocked.Decrement(ref remaining) >= 0 && watch.Elapsed < TimeLimitPerPhase)
            {
                await client.ResolveRecipientAsync(request).ResponseAsync;
                Interlocked.Increment(ref completed);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkerAsync)));
        return (completed, watch.Elapsed);
    }

    private static void PrintLatency(string phase, int requested, double[] sortedMicros)
    {
        Console.WriteLine($"| {phase,-10} | {1,11} | {sortedMicros.Length,7} | p50 {Percentile(sortedMicros, 0.50),8:N0} µs   | {sortedMicros.Sum() / 1e6,7:N2} s |");
        Console.WriteLine($"| {phase,-10} | {1,11} | {sortedMicros.Length,7} | p99 {Percentile(sortedMicros, 0.99),8:N0} µs   |           |");
        if (sortedMicros.Length < requested)
        {
            Console.WriteLine($"(stopped after {TimeLimitPerPhase.TotalSeconds:N0} s: {sortedMicros.Length} of {requested} calls)");
        }
    }

    private static double Percentile(double[] sorted, double fraction) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];

    /// <summary>Answers at once: the benchmark measures the transport, not the intake.</summary>
    private sealed class TrivialIntake : IntakeContract.IntakeBase
    {
        public override Task<ResolveRecipientReply> ResolveRecipient(ResolveRecipientRequest request, ServerCallContext context) =>
            Task.FromResult(new ResolveRecipientReply { Found = true, VaultboxId = request.Address });

        public override Task<DeliverReply> Deliver(DeliverRequest request, ServerCallContext context) =>
            Task.FromResult(new DeliverReply());
    }
}

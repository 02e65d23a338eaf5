using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Encimap.Testing;

namespace Encimap.Benchmarks;

/// <summary>
/// MX throughput of the fleet as the AppHost runs it, with one and with several replicas of every
/// stateless service (<c>--AppHost:Replicas</c>), in one run: for each replica count a fleet of its
/// own (PostgreSQL with fsync on, as in production) is started, warmed up and measured, then
/// stopped. Messages go to the proxied MX port (the development port 2525 moved by the fleet's
/// offset), which DCP spreads over the SMTP replicas by connection; each SMTP replica spreads its
/// deliveries over the intake replicas the same way. Messages per second answered 250 after DATA
/// (250 comes after the intake has committed the encrypted message).
/// </summary>
public sealed class MxReplicasBenchmark : IBenchmark
{
    public string Description => "MX messages/s (250) through the AppHost with 1 and 2 replicas of smtp and intake [--replicas 1,2] [--seconds 15] [--rounds 3] [--connections 10] [--size 5] [--warmup 15]";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var counts = arguments.GetInts("replicas", [1, 2]);
        var seconds = arguments.GetInt("seconds", 15);
        var rounds = Math.Max(1, arguments.GetInt("rounds", 3));
        var connections = arguments.GetInt("connections", 10);
        var size = arguments.GetInt("size", 5);
        var warmup = arguments.GetInt("warmup", 15);
        var rows = new List<string>();
        foreach (var replicas in counts)
        {
            await using var fleet = new BenchmarkFleet(replicas);
            await fleet.InitializeAsync();
            var recipient = await fleet.CreateRecipientAsync();
            var port = fleet.Endpoint("smtp", "mx").Port;
            var message = SmtpBenchmark.Message(size * 1024, recipient);
            Console.WriteLine($"{replicas} replica(s): MX on 127.0.0.1:{port}; warming up {warmup} s");
            await SmtpBenchmark.MeasureAsync(port, recipient, message, connections, TimeSpan.FromSeconds(warmup));
            var rates = new List<double>();
            long failures = 0;
            for (var round = 1; round <= rounds; round++)
            {
                var (accepted, failed, elapsed) = await SmtpBenchmark.MeasureAsync(port, recipient, message, connections, TimeSpan.FromSeconds(seconds));
                rates.Add(accepted / elapsed.TotalSeconds);
                failures += failed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round}: {accepted} accepted, {failed} refused, {rates[^1]:0.0} msg/s"));
            }

            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {replicas} | {connections} | {size} KB | {string.Join(" / ", rates.Select(r => r.ToString("0.0", CultureInfo.InvariantCulture)))} | {rates.Order().ElementAt(rates.Count / 2):0.0} | {failures} |"));
        }

        Console.WriteLine();
        Console.WriteLine($"{Environment.ProcessorCount} cores; every replica count on a fleet of its own, one after the other");
        Console.WriteLine("| replicas (smtp, intake, ...) | connections | size | msg/s per round | median msg/s | refused |");
        Console.WriteLine("|---|---|---|---|---|---|");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    /// <summary>The AppHost's fleet with <c>replicas</c> of each service, PostgreSQL flushing to disk, the MX open to anyone.</summary>
    private sealed class BenchmarkFleet : EncimapFleet, IAsyncDisposable
    {
        private readonly int _replicas;

        public BenchmarkFleet(int replicas)
        {
            _replicas = replicas;
            StartTimeout = TimeSpan.FromMinutes(12);
            Configure("api", "Api__BcryptCost", "4");
            Configure("smtp", "Smtp__Mx__MaxConnectionRatePerIp", "0");
            // What scales with replicas is the MX and the intake, not the sender's DNS: the SPF/DKIM/DMARC
            // checks are off (against a name server that does not answer, each would wait out its timeout).
            Configure("smtp", "Smtp__Mx__Authentication__Enabled", "false");
        }

        public async Task<string> CreateRecipientAsync()
        {
            var (userId, domain) = await AddUserWithDomainAsync();
            using var http = ApiClientFor(userId);
            using var created = await http.PostAsJsonAsync("/s2s/v1/vaultboxes", new { domain, alias = "bench", name = "bench" });
            if (created.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"creating the vaultbox: {await created.Content.ReadAsStringAsync()}");
            }

            return $"bench@{domain}";
        }

        ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

        protected override IEnumerable<string> Arguments() =>
            [.. base.Arguments().Where(a => !a.StartsWith("--AppHost:PostgresFsync", StringComparison.Ordinal)), $"--AppHost:Replicas={_replicas}"];
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Encimap.Certificates;
using Encimap.Contracts.Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Encimap.Benchmarks;

/// <summary>
/// The certificate service's CPU-bound work, in-process (no gRPC, no database): issue latency
/// with the RSA key pool warm (every key pre-generated) and cold (generated on the request), and
/// the time to build a PKCS#12 file (one certificate + key) per profile.
/// </summary>
public sealed class CertificatesBenchmark : IBenchmark
{
    public string Description => "issue p50/p95 with the key pool warm vs cold, PKCS#12 export per profile [--issues 40] [--exports 10]";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var issues = arguments.GetInt("issues", 40);
        var exports = arguments.GetInt("exports", 10);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var telemetry = new CertificateTelemetry(services.GetRequiredService<IMeterFactory>());
        using var keks = KeyEncryptionKeyRing.FromKeys(new Dictionary<string, byte[]> { ["bench"] = RandomNumberGenerator.GetBytes(32) }, "bench");
        var custody = new PrivateKeyCustody(keks);

        Console.WriteLine("| what                         |   n |      p50 |      p95 |");
        Console.WriteLine("|------------------------------|-----|----------|----------|");

        // Warm: the pool holds every key the batch needs before the batch starts.
        const int batch = 8;
        var warmOptions = Options.Create(new CertificateOptions { KeyPoolSize = batch });
        using (var pool = new RsaKeyPool(warmOptions, telemetry))
        {
            using var stop = new CancellationTokenSource();
            var refill = pool.RunRefillAsync(stop.Token);
            var issuer = new CertificateIssuer(pool, custody, warmOptions, telemetry, TimeProvider.System);
            issuer.Issue("warmup@bench.example");
            var samples = new List<double>();
            while (samples.Count < issues)
            {
                await pool.WaitUntilFullAsync();
                for (var i = 0; i < batch && samples.Count < issues; i++)
                {
                    samples.Add(Time(() => issuer.Issue($"user{i}@bench.example")));
                }
            }
            Print("issue, pool warm (2048)", samples);
            await stop.CancelAsync();
            try
            {
                await refill;
            }
            catch (OperationCanceledException)
            {
            }
        }

        var coldOptions = Options.Create(new CertificateOptions { KeyPoolSize = 0 });
        using (var pool = new RsaKeyPool(coldOptions, telemetry))
        {
            var issuer = new CertificateIssuer(pool, custody, coldOptions, telemetry, TimeProvider.System);
            var samples = new List<double>();
            for (var i = 0; i < issues; i++)
            {
                samples.Add(Time(() => issuer.Issue($"user{i}@bench.example")));
            }
            Print("issue, pool cold (2048)", samples);
        }

        using (var pool = new RsaKeyPool(coldOptions, telemetry))
        {
            var issuer = new CertificateIssuer(pool, custody, coldOptions, telemetry, TimeProvider.System);
            var issued = issuer.Issue("export@bench.example");
            using var certificate = X509CertificateLoader.LoadCertificate(issued.CertificateDer.Span);
            using var key = custody.UnwrapRsa(issued.PrivateKey, issued.ThumbprintSha256);
            var items = new[] { new KeyedCertificate(certificate, key, "export@bench.example") };
            foreach (var profile in new[] { Pkcs12Profile.Compatible, Pkcs12Profile.Modern })
            {
                Pkcs12Exporter.Build(items, "benchmark password", profile);
                var samples = new List<double>();
                for (var i = 0; i < exports; i++)
                {
                    samples.Add(Time(() => Pkcs12Exporter.Build(items, "benchmark password", profile)));
                }
                Print($"pkcs12 export, {profile.ToString().ToLowerInvariant()}", samples);
            }
        }

        return 0;
    }

    private static double Time(Func<object> action)
    {
        var start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static void Print(string what, List<double> samples)
    {
        var sorted = samples.Order().ToArray();
        Console.WriteLine($"| {what,-28} | {sorted.Length,3} | {Percentile(sorted, 0.50),5:N1} ms | {Percentile(sorted, 0.95),5:N1} ms |");
    }

    private static double Percentile(double[] sorted, double fraction) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];
}

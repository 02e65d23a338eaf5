using Encimap.Benchmarks;

// Subcommands by name: adding a benchmark is one line here and one class.
var benchmarks = new Dictionary<string, IBenchmark>(StringComparer.OrdinalIgnoreCase)
{
    ["grpc"] = new GrpcBenchmark(),
    ["certificates"] = new CertificatesBenchmark(),
    ["api"] = new ApiBenchmark(),
    ["imap"] = new ImapBenchmark(),
    ["imap-load"] = new ImapLoadBenchmark(),
    ["smtp"] = new SmtpBenchmark(),
    ["intake"] = new IntakeBenchmark(),
    ["gateway"] = new GatewayBenchmark(),
    ["fleet"] = new FleetBenchmark(),
    ["memory"] = new MemoryBenchmark(),
    ["mx-replicas"] = new MxReplicasBenchmark(),
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var benchmark))
{
    Console.Error.WriteLine("usage: Encimap.Benchmarks <subcommand> [--option value]...");
    foreach (var (name, known) in benchmarks)
    {
        Console.Error.WriteLine($"  {name,-10} {known.Description}");
    }

    return 2;
}

return await benchmark.RunAsync(BenchmarkArguments.Parse(args[1..]));

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Encimap.Benchmarks;

/// <summary>
/// Many clients on ONE mailbox: each runs a random mix of SELECT, FETCH (flags and envelopes, and
/// whole messages), STORE of flags and keywords, STORE \Deleted, EXPUNGE, APPEND and COPY, back to
/// back, against the IMAP service and against Dovecot holding the same messages, in the same run
/// (<see cref="ImapServers"/>). Per number of clients and server: commands per second, p50 and
/// p99 latency, and the commands that were not answered OK (or lost their connection).
/// </summary>
public sealed partial class ImapLoadBenchmark : IBenchmark
{
    private static readonly string[] Flags = ["\\Seen", "\\Flagged", "\\Answered", "$Work", "$Later"];

    public string Description => "IMAP commands/s and p50/p99 latency, N clients on one mailbox, random mix, vs Dovecot [--clients 1,10,50] [--seconds 15] [--warmup 3] [--messages 500] [--size 5000] [--by-command 1]";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var clientCounts = arguments.GetInts("clients", [1, 10, 50]);
        var seconds = arguments.GetInt("seconds", 15);
        var warmup = arguments.GetInt("warmup", 3);
        var messageCount = arguments.GetInt("messages", 500);
        var size = arguments.GetInt("size", 5000);
        var byCommand = arguments.GetInt("by-command", 0) == 1;
        await using var servers = await ImapServers.StartAsync(messageCount, size, clientCounts.Max() + 10);
        var targets = new[]
        {
            new Target("Encimap", servers.EncimapPort, servers.EncimapUser, servers.EncimapPassword, messageCount),
            new Target("Dovecot", servers.DovecotPort, ImapServers.DovecotUser, ImapServers.DovecotPassword, messageCount),
        };
        Console.WriteLine($"Mix per client, back to back: 20% UID FETCH of 10 (FLAGS ENVELOPE), 10% UID FETCH BODY.PEEK[], 25% UID STORE +/-FLAGS " +
            $"(flags and keywords), 10% STORE \\Deleted, 10% EXPUNGE / UID EXPUNGE, 8% APPEND (~{size / 1000} KB), 6% UID COPY to INBOX, 5% SELECT, 6% NOOP; " +
            $"{seconds} s per row after a {warmup} s warm-up per server; all on INBOX ({messageCount} messages at the start)");
        Console.WriteLine();
        foreach (var target in targets)
        {
            await RunLoadAsync(target, Math.Min(10, clientCounts.Max()), TimeSpan.FromSeconds(warmup), size);
        }

        Console.WriteLine("| clients | server | commands/s | p50 ms | p99 ms | errors |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|");
        foreach (var clients in clientCounts)
        {
            foreach (var target in targets)
            {
                await servers.PrintStatementsAsync(reset: true);
                var result = await RunLoadAsync(target, clients, TimeSpan.FromSeconds(seconds), size);
                Console.WriteLine($"| {clients} | {target.Name} | {result.Commands / result.Seconds:N0} | {Percentile(result.Latencies, 0.50):N1} | " +
                    $"{Percentile(result.Latencies, 0.99):N1} | {result.Errors.Count} |");
                if (byCommand)
                {
                    PrintByCommand(result);
                }

                foreach (var (error, count) in result.Errors.GroupBy(e => e).Select(g => (g.Key, g.Count())).Take(5))
                {
                    Console.WriteLine($"|  |  | {count} × `{error}` |  |  |  |");
                }

                if (target.Name == "Encimap")
                {
                    await servers.PrintStatementsAsync(reset: false);
                }
            }
        }

        return 0;
    }

    private sealed class Target(string name, int port, string user, string password, int messages)
    {
        private long _highestUid = messages;

        public string Name => name;

        public int Port => port;

        public string User => user;

        public string Password => password;

        public uint HighestUid => (uint)Interlocked.Read(ref _highestUid);

        public void Assigned(uint uid)
        {
            for (var seen = Interlocked.Read(ref _highestUid); uid > seen; seen = Interlocked.Read(ref _highestUid))
            {
                if (Interlocked.CompareExchange(ref _highestUid, uid, seen) == seen)
                {
                    return;
                }
            }
        }
    }

    private sealed record LoadResult(double Seconds, List<string> Errors, List<(string Kind, double Milliseconds)> ByKind)
    {
        public long Commands => ByKind.Count;

        public List<double> Latencies { get; } = [.. ByKind.Select(k => k.Milliseconds)];
    }

    /// <summary>Where the time goes: per kind of command, its share of commands, mean and p99 latency.</summary>
    private static void PrintByCommand(LoadResult result)
    {
        foreach (var kind in result.ByKind.GroupBy(k => k.Kind).OrderByDescending(g => g.Sum(k => k.Milliseconds)))
        {
            var latencies = kind.Select(k => k.Milliseconds).ToList();
            Console.WriteLine($"|  |  ↳ {kind.Key} | {100.0 * latencies.Count / result.ByKind.Count:N0}% | mean {latencies.Average():N1} | " +
                $"{Percentile(latencies, 0.99):N1} | {100.0 * latencies.Sum() / result.ByKind.Sum(k => k.Milliseconds):N0}% of time |");
        }
    }

    private static async Task<LoadResult> RunLoadAsync(Target target, int clientCount, TimeSpan duration, int size)
    {
        var clients = new List<ImapLoadClient>();
        try
        {
            for (var i = 0; i < clientCount; i++)
            {
                var client = await ImapLoadClient.LoginAsync(target.Port, target.User, target.Password);
                clients.Add(client);
                await client.CommandAsync("SELECT INBOX");
            }

            var byKind = new ConcurrentBag<List<(string, double)>>();
            var errors = new ConcurrentQueue<string>();
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(clients.Select((client, index) => Task.Run(async () =>
            {
                var random = new Random(index * 31 + clientCount);
                var own = new List<(string, double)>(4096);
                byKind.Add(own);
                while (watch.Elapsed < duration)
                {
                    var (kind, command, literal) = NextCommand(random, target, size);
                    var started = Stopwatch.GetTimestamp();
                    string status;
                    try
                    {
                        status = await client.CommandAsync(command, literal);
                    }
                    catch (Exception e) when (e is IOException or EndOfStreamException)
                    {
                        errors.Enqueue($"{kind}: connection lost");
                        return;
                    }

                    own.Add((kind, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                    if (!status.StartsWith("OK", StringComparison.Ordinal))
                    {
                        errors.Enqueue($"{kind}: {status}");
                    }
                    else if (AssignedUidPattern().Match(status) is { Success: true } assigned)
                    {
                        target.Assigned(uint.Parse(assigned.Groups[1].Value));
                    }
                }
            })));
            return new LoadResult(watch.Elapsed.TotalSeconds, [.. errors], [.. byKind.SelectMany(k => k)]);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// One command of the mix, on UIDs up to the highest assigned so far (some of them expunged:
    /// still valid commands), with its kind: its name, and the argument that tells it apart in the mix.
    /// </summary>
    private static (string Kind, string Command, string? Literal) NextCommand(Random random, Target target, int size)
    {
        var highest = Math.Max(1u, target.HighestUid);
        var uid = (uint)random.Next(1, (int)highest + 1);
        var last = Math.Min(highest, uid + 9);
        var flag = Flags[random.Next(Flags.Length)];
        return random.Next(100) switch
        {
            < 20 => ("UID FETCH (FLAGS ENVELOPE)", $"UID FETCH {uid}:{last} (FLAGS ENVELOPE)", null),
            < 30 => ("UID FETCH BODY.PEEK[]", $"UID FETCH {uid} BODY.PEEK[]", null),
            < 45 => ("UID STORE +FLAGS", $"UID STORE {uid} +FLAGS ({flag})", null),
            < 55 => ("UID STORE -FLAGS", $"UID STORE {uid} -FLAGS ({flag})", null),
            < 65 => ("UID STORE \\Deleted", $"UID STORE {uid} +FLAGS.SILENT (\\Deleted)", null),
            < 69 => ("EXPUNGE", "EXPUNGE", null),
            < 75 => ("UID EXPUNGE", $"UID EXPUNGE {uid}:{last}", null),
            < 83 => ("APPEND", "APPEND INBOX", Message(random, size)),
            < 89 => ("UID COPY", $"UID COPY {uid} INBOX", null),
            < 94 => ("SELECT", "SELECT INBOX", null),
            _ => ("NOOP", "NOOP", null),
        };
    }

    private static string Message(Random random, int size)
    {
        var header = $"From: Load <load@elsewhere.example>\r\nTo: box@bench.example\r\nSubject: Load {random.Next()}\r\n" +
            $"Date: {DateTimeOffset.UtcNow:R}\r\nMessage-ID: <load.{Guid.NewGuid():N}@elsewhere.example>\r\n\r\n";
        var body = new System.Text.StringBuilder(size);
        while (header.Length + body.Length < size)
        {
            body.Append("Lorem ipsum dolor sit amet ").Append(random.Next()).Append(", consectetur adipiscing elit.\r\n");
        }

        return header + body;
    }

    private static double Percentile(List<double> samples, double fraction)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        samples.Sort();
        return samples[Math.Min(samples.Count - 1, (int)(fraction * samples.Count))];
    }

    [GeneratedRegex(@"\[(?:APPENDUID \d+|COPYUID \d+ \S+) (?:\d+:)?(\d+)\]")]
    private static partial Regex AssignedUidPattern();
}

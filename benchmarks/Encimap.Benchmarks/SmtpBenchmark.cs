using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Encimap.Testing;

namespace Encimap.Benchmarks;

/// <summary>
/// Inbound SMTP throughput: messages per second answered 250 after DATA, for 5 KB and 100 KB
/// messages at 1, 10 and 20 concurrent connections (each connection sends one message after
/// another, MAIL/RCPT/DATA pipelined). Encimap: the SMTP gateway's MX in front of the intake
/// (encrypt, store in PostgreSQL with fsync on, 250 after commit), as real processes. Peer, in
/// the same run: Debian's Postfix (250 after its queue file is on disk) delivering over LMTP to
/// Dovecot (benchmarks/peers/postfix-dovecot.sh, needs root). Both run side by side and every
/// cell is measured in rounds that alternate between them, so that a slow phase of the host
/// falls on both rather than on one. The one not being measured is frozen (SIGSTOP) meanwhile:
/// Postfix keeps the backlog of its steady state without delivering it during Encimap's round,
/// and Encimap's PostgreSQL does not checkpoint during Postfix's. <c>--repos a,b</c> measures the
/// services of several built checkouts (their <c>artifacts/bin</c>, Release) in the same
/// alternating rounds, e.g. the previous commit beside this one; each gets a fleet of its own, on
/// this build's schema, and the table adds each one's ratio to the first.
/// </summary>
public sealed class SmtpBenchmark : IBenchmark
{
    private static long _sequence = DateTime.UtcNow.Ticks % 1_000_000_000_000;

    public string Description => "MX messages/s (250) for 5 KB and 100 KB at 1/10/20 connections, Encimap vs Postfix→Dovecot, alternating rounds [--seconds 10] [--rounds 3] [--concurrency 1,10,20] [--sizes 5,100] [--warmup 90] [--repos DIR[,DIR]]";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var seconds = arguments.GetInt("seconds", 10);
        var rounds = Math.Max(1, arguments.GetInt("rounds", 3));
        var levels = arguments.GetInts("concurrency", [1, 10, 20]);
        var sizes = arguments.GetInts("sizes", [5, 100]);
        var warmup = arguments.GetInt("warmup", 90);
        var repos = arguments.GetStrings("repos", [""]);
        var script = Path.Combine(RepositoryRoot(), "benchmarks", "peers", "postfix-dovecot.sh");

        var fleets = new List<EncimapMx>();
        var targets = new List<Target>();
        string? peerError = null;
        var peerDirectory = Directory.CreateTempSubdirectory("encimap-bench-postfix-").FullName;
        try
        {
            foreach (var repo in repos)
            {
                var encimap = await EncimapMx.StartAsync(repo.Length == 0 ? null : repo);
                fleets.Add(encimap);
                var name = repos.Count == 1 ? "encimap" : Path.GetFileName(Path.TrimEndingDirectorySeparator(repo));
                Console.WriteLine($"{name}: Encimap MX on 127.0.0.1:{encimap.Port} (PostgreSQL {encimap.PostgresVersion}, fsync on); {Environment.ProcessorCount} cores");
                targets.Add(new Target(name, encimap.Port, encimap.Recipient, null, new ProcessTreeFreezer(() => Task.FromResult(encimap.ProcessIds)), IsEncimap: true));
            }

            // The stop below also covers a peer that started but failed to answer.
            (var peer, peerError) = await StartPeerAsync(script, peerDirectory);
            if (peer is not null)
            {
                targets.Add(peer);
            }

            var samples = await MeasureAllAsync(targets, sizes, levels, seconds, rounds, warmup);
            PrintTable(samples, targets, sizes, levels, rounds);
        }
        finally
        {
            foreach (var target in targets)
            {
                await target.Freezer.ThawAsync();
            }

            await RunAsync("bash", script, "stop", peerDirectory);
            foreach (var fleet in fleets)
            {
                await fleet.DisposeAsync();
            }

            try
            {
                Directory.Delete(peerDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        if (peerError is not null)
        {
            Console.WriteLine($"Postfix → Dovecot peer not measured: {peerError}");
        }

        return 0;
    }

    /// <summary>Starts Postfix → Dovecot in <paramref name="peerDirectory"/>; on failure, no target and why.</summary>
    private static async Task<(Target? Peer, string? Error)> StartPeerAsync(string script, string peerDirectory)
    {
        try
        {
            var smtpPort = ServiceProcess.FreePort();
            var start = await RunAsync("bash", script, "start", peerDirectory, smtpPort.ToString(), ServiceProcess.FreePort().ToString());
            if (start.ExitCode != 0)
            {
                return (null, $"postfix-dovecot.sh start failed ({start.ExitCode}): {start.Output}");
            }

            await WaitListeningAsync(smtpPort);
            Console.WriteLine($"Postfix → Dovecot LMTP on 127.0.0.1:{smtpPort}");
            return (new Target(
                "postfix",
                smtpPort,
                "bench@bench.example",
                async () => long.Parse((await RunAsync("bash", script, "count", peerDirectory)).Output.Trim()),
                new ProcessTreeFreezer(async () => (await RunAsync("bash", script, "pids", peerDirectory)).Output
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse))), null);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException or SocketException or IOException)
        {
            return (null, e.Message);
        }
    }

    /// <summary>
    /// Warms every target up, then measures each cell <paramref name="rounds"/> times per target,
    /// alternating which target goes first, with only the measured target running.
    /// </summary>
    private static async Task<List<Sample>> MeasureAllAsync(
        IReadOnlyList<Target> targets, IReadOnlyList<int> sizes, IReadOnlyList<int> levels, int seconds, int rounds, int warmupSeconds)
    {
        foreach (var target in targets)
        {
            await RunOnlyAsync(target, targets);
            await WarmUpAsync(target.Name, target.Port, target.Recipient, sizes, levels.Max(), warmupSeconds);
        }

        var samples = new List<Sample>();
        foreach (var size in sizes)
        {
            var messages = targets.ToDictionary(target => target, target => Message(size * 1024, target.Recipient));
            foreach (var target in targets)
            {
                await RunOnlyAsync(target, targets);
                await MeasureAsync(target.Port, target.Recipient, messages[target], 2, TimeSpan.FromSeconds(2)); // warm-up
            }

            foreach (var level in levels)
            {
                for (var round = 1; round <= rounds; round++)
                {
                    foreach (var target in round % 2 == 1 ? targets : targets.Reverse())
                    {
                        await RunOnlyAsync(target, targets);
                        var storedBefore = target.CountStored is null ? 0 : await target.CountStored();
                        var (accepted, failed, elapsed) = await MeasureAsync(target.Port, target.Recipient, messages[target], level, TimeSpan.FromSeconds(seconds));
                        var rate = accepted / elapsed.TotalSeconds;
                        var storedRate = target.CountStored is null ? rate : (await target.CountStored() - storedBefore) / elapsed.TotalSeconds;
                        samples.Add(new Sample(target.Name, size, level, rate, storedRate));
                        Console.WriteLine($"{target.Name,-8} {size,4} KB x{level,-3} round {round}: {accepted,7} accepted {failed,4} refused in {elapsed.TotalSeconds:N1} s: {rate,8:N1} msg/s (stored: {storedRate:N1} msg/s)");
                    }
                }
            }
        }

        return samples;
    }

    private static async Task RunOnlyAsync(Target running, IReadOnlyList<Target> targets)
    {
        foreach (var target in targets.Where(target => target != running))
        {
            await target.Freezer.FreezeAsync();
        }

        await running.Freezer.ThawAsync();
    }

    /// <summary>
    /// Median per cell and target; a ratio is that of the medians, with the range of the
    /// per-round ratios beside it (round n of one target against round n of the other).
    /// </summary>
    private static void PrintTable(List<Sample> samples, IReadOnlyList<Target> targets, IReadOnlyList<int> sizes, IReadOnlyList<int> levels, int rounds)
    {
        Console.WriteLine();
        // Encimap answers 250 once the message is stored; Postfix once it is queued, and Dovecot
        // stores it later (the last column: messages Dovecot stored per second during its rounds).
        var builds = targets.Where(t => t.IsEncimap).Select(t => t.Name).ToList();
        Console.WriteLine($"Medians of {rounds} alternating round(s) per cell.");
        Console.WriteLine($"| size   | connections | build | Encimap msg/s | Postfix→Dovecot msg/s | Encimap / Postfix | per-round ratios |{(builds.Count > 1 ? $" / {builds[0]} | per-round |" : "")} Dovecot stored msg/s |");
        Console.WriteLine($"|--------|-------------|-------|---------------|-----------------------|-------------------|------------------|{(builds.Count > 1 ? "---|---|" : "")}----------------------|");
        foreach (var size in sizes)
        {
            foreach (var level in levels)
            {
                List<Sample> Cell(string target) => samples.Where(s => s.Target == target && s.Size == size && s.Concurrency == level).ToList();
                var theirs = Cell("postfix");
                var first = Cell(builds[0]);
                foreach (var build in builds)
                {
                    var ours = Cell(build);
                    var versusFirst = builds.Count > 1 ? $" {Ratio(ours, first)} |" : "";
                    Console.WriteLine($"| {size,3} KB | {level,11} | {build} | {Median(ours.Select(s => s.Rate)),13:N1} | {Median(theirs.Select(s => s.Rate)),21:N1} | {Ratio(ours, theirs)} |{versusFirst} {Median(theirs.Select(s => s.StoredRate)),20:N1} |");
                }
            }
        }
    }

    /// <summary>The ratio of the medians, then the range of the per-round ratios, as two table cells.</summary>
    private static string Ratio(List<Sample> ours, List<Sample> theirs)
    {
        var median = Median(theirs.Select(s => s.Rate));
        var ratio = double.IsNaN(median) ? "n/a" : (Median(ours.Select(s => s.Rate)) / median).ToString("N2");
        var ratios = ours.Zip(theirs, (a, b) => a.Rate / b.Rate).ToList();
        var range = ratios.Count == 0 ? "n/a" : $"{ratios.Min():N2}-{ratios.Max():N2}";
        return $"{ratio,17} | {range,16}";
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// Runs the target for at least half of <paramref name="maxSeconds"/>, then until its rate
    /// is steady (two consecutive rounds of every size within 15 % of each other) or
    /// <paramref name="maxSeconds"/> have passed. Both targets need it to show what a running MX
    /// does. The Encimap services start in tier-0 JIT code and reach their optimized code only
    /// after enough calls: on 2 cores the background JIT keeps compiling for about 30 s under load
    /// and takes up to half a core meanwhile. Postfix answers 250 once a message is queued; while
    /// Dovecot keeps up, that is fast, but once the queue manager falls behind, smtpd's
    /// in_flow_delay slows acceptance to about the rate of delivery (its rate fell by half to
    /// two thirds within the first minute). --warmup 0 measures cold.
    /// </summary>
    private static async Task WarmUpAsync(string target, int port, string recipient, IReadOnlyList<int> sizes, int connections, int maxSeconds)
    {
        if (maxSeconds <= 0)
        {
            return;
        }

        var messages = sizes.Select(size => Message(size * 1024, recipient)).ToArray();
        var previous = new double[messages.Length];
        var watch = Stopwatch.StartNew();
        for (var round = 1; ; round++)
        {
            var steady = round > 1 && watch.Elapsed.TotalSeconds >= maxSeconds / 2.0;
            var rates = new double[messages.Length];
            for (var i = 0; i < messages.Length; i++)
            {
                var (accepted, _, elapsed) = await MeasureAsync(port, recipient, messages[i], connections, TimeSpan.FromSeconds(2));
                rates[i] = accepted / elapsed.TotalSeconds;
                steady &= Math.Abs(rates[i] - previous[i]) <= 0.15 * Math.Max(rates[i], previous[i]);
            }

            if (steady || watch.Elapsed.TotalSeconds >= maxSeconds)
            {
                Console.WriteLine($"{target,-8} warm-up: {round} rounds in {watch.Elapsed.TotalSeconds:N0} s, {(steady ? "steady" : "not steady")} at {string.Join(", ", rates.Select((r, i) => $"{sizes[i]} KB x{connections} {r:N0} msg/s"))}");
                return;
            }

            previous = rates;
        }
    }

    internal static async Task<(long Accepted, long Failed, TimeSpan Elapsed)> MeasureAsync(int port, string recipient, byte[] message, int connections, TimeSpan duration)
    {
        long accepted = 0;
        long failed = 0;
        var watch = Stopwatch.StartNew();
        async Task ConnectionAsync()
        {
            using var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync("127.0.0.1", port);
            var stream = tcp.GetStream();
            var reader = new ReplyReader(stream);
            await reader.ExpectAsync(1);
            await stream.WriteAsync("EHLO bench.test\r\n"u8.ToArray());
            await reader.ExpectAsync(1);
            var envelope = Encoding.ASCII.GetBytes($"MAIL FROM:<sender@bench.test> SIZE={message.Length}\r\nRCPT TO:<{recipient}>\r\nDATA\r\n");
            // Every message unique (its Message-ID), so that no store can skip one as a duplicate.
            var own = (byte[])message.Clone();
            var idAt = own.AsSpan().IndexOf("Message-ID: <"u8) + "Message-ID: <".Length;
            while (watch.Elapsed < duration)
            {
                await stream.WriteAsync(envelope);
                var codes = await reader.ExpectAsync(3);
                if (codes[2] != 354)
                {
                    Interlocked.Increment(ref failed);
                    await stream.WriteAsync("RSET\r\n"u8.ToArray());
                    await reader.ExpectAsync(1);
                    continue;
                }

                Encoding.ASCII.GetBytes(Interlocked.Increment(ref _sequence).ToString("D16"), own.AsSpan(idAt, 16));
                await stream.WriteAsync(own);
                var final = await reader.ExpectAsync(1);
                Interlocked.Increment(ref final[0] == 250 ? ref accepted : ref failed);
            }

            await stream.WriteAsync("QUIT\r\n"u8.ToArray());
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(ConnectionAsync)));
        return (accepted, failed, watch.Elapsed);
    }

    /// <summary>A plain-text message of about <paramref name="size"/> octets, dot-stuffed, ending with the end-of-data line.</summary>
    internal static byte[] Message(int size, string recipient)
    {
        var text = new StringBuilder($"From: <sender@bench.test>\r\nTo: <{recipient}>\r\nSubject: benchmark\r\nMessage-ID: <0000000000000000@bench.test>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\n");
        var line = "The quick brown fox jumps over the lazy dog; 0123456789 abcdefghijklmnop.";
        while (text.Length < size)
        {
            text.Append(line).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append(".\r\n").ToString());
    }

    private static async Task WaitListeningAsync(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Encimap.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Run the benchmark from the repository's build output.");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output) + (await error));
    }

    /// <summary>Reads SMTP replies (final lines only) from a stream.</summary>
    private sealed class ReplyReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public async Task<int[]> ExpectAsync(int count)
        {
            var codes = new int[count];
            for (var i = 0; i < count; i++)
            {
                while (true)
                {
                    var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                    if (lf >= 0)
                    {
                        var line = Encoding.ASCII.GetString(_buffer, _start, lf - _start);
                        _start = lf + 1;
                        if (line.Length >= 4 && line[3] == '-')
                        {
                            continue;
                        }

                        codes[i] = int.Parse(line.AsSpan(0, 3));
                        break;
                    }

                    if (_start > 0)
                    {
                        Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                        _end -= _start;
                        _start = 0;
                    }

                    var read = await stream.ReadAsync(_buffer.AsMemory(_end));
                    if (read == 0)
                    {
                        throw new IOException("the server closed the connection");
                    }

                    _end += read;
                }
            }

            return codes;
        }
    }

    /// <param name="CountStored">Messages the target has stored so far, for a target whose 250 comes before the store (null: 250 means stored).</param>
    private sealed record Target(string Name, int Port, string Recipient, Func<Task<long>>? CountStored, ProcessTreeFreezer Freezer, bool IsEncimap = false);

    private sealed record Sample(string Target, int Size, int Concurrency, double Rate, double StoredRate);
}

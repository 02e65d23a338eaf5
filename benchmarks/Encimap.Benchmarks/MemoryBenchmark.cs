using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Encimap.Testing;

namespace Encimap.Benchmarks;

/// <summary>
/// Memory of one large inbound message: the MX (SMTP gateway) in front of the intake, the
/// certificate service, the API and PostgreSQL as real processes (as the <c>smtp</c> benchmark
/// starts them), one message of <c>--size-mib</c> MiB sent over SMTP, then
/// <c>--concurrent</c> such messages at once, each on its own connection. Per process: its RSS
/// before, its peak while the message went through (VmHWM, reset first, and RSS sampled every
/// 20 ms) and the difference, beside the message size. <c>--repos a,b</c> runs the services of
/// several built checkouts (their <c>artifacts/bin</c>, same configuration) one after the other
/// in the same run, e.g. the previous commit beside this one (a checkout may be named more than
/// once, to alternate). <c>--message smime</c> sends a message that is already S/MIME encrypted
/// (CMS EnvelopedData, base64, to a throwaway certificate: the intake stores such a message as it
/// came and does not check its recipients) instead of a plaintext one of the same size.
/// </summary>
public sealed class MemoryBenchmark : IBenchmark
{
    private const int Mib = 1024 * 1024;

    public string Description => "peak added RSS per process for one and for N concurrent large messages through the MX [--size-mib 50] [--concurrent 10] [--repos DIR[,DIR]] [--message plain|smime]";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var sizeMib = arguments.GetInt("size-mib", 50);
        var concurrent = arguments.GetInt("concurrent", 10);
        var repos = arguments.GetStrings("repos", [""]);
        var kind = arguments.GetStrings("message", ["plain"])[0];
        Func<int, MessageBody> message = kind switch
        {
            "plain" => MessageBody.Plain,
            "smime" => MessageBody.AlreadyEncrypted,
            _ => throw new ArgumentException($"--message is plain or smime, not '{kind}'"),
        };
        var limit = (sizeMib + 8L) * Mib;
        var settings = new Dictionary<string, string>
        {
            // Room for the message and the fields the hops add, in both builds.
            ["Smtp__MaxMessageSize"] = limit.ToString(CultureInfo.InvariantCulture),
            ["Intake__MaxMessageBytes"] = limit.ToString(CultureInfo.InvariantCulture),
            ["Smtp__Mx__IntakeTimeout"] = "00:10:00",
            ["Smtp__DataTimeout"] = "00:10:00",
        };
        var rows = new List<string>();
        foreach (var repo in repos)
        {
            var label = repo.Length == 0 ? "this build" : repo;
            await using var mx = await EncimapMx.StartAsync(repo.Length == 0 ? null : repo, settings);
            Console.WriteLine($"{label}: MX on 127.0.0.1:{mx.Port}");

            // Warm-up: JIT, connection pools, the certificate cache.
            await SendAsync(mx.Port, mx.Recipient, message(64 * 1024), CancellationToken.None);
            await SendAsync(mx.Port, mx.Recipient, message(4 * Mib), CancellationToken.None);
            await Task.Delay(TimeSpan.FromSeconds(2));

            foreach (var count in (int[])[1, concurrent])
            {
                var (usages, elapsed, refused) = await MeasureAsync(mx, message(sizeMib * Mib), count);
                var case_ = $"{count} x {sizeMib} MiB {kind}";
                Console.WriteLine($"{label}: {case_} in {elapsed.TotalSeconds:N1} s, {refused} refused");
                foreach (var group in usages.GroupBy(u => u.Name))
                {
                    // PostgreSQL: the backend that grew most stands for the group.
                    var top = group.MaxBy(u => u.Added)!;
                    var name = group.Count() > 1 ? $"{group.Key} (largest of {group.Count()})" : group.Key;
                    rows.Add(string.Create(CultureInfo.InvariantCulture,
                        $"| {label} | {case_} | {name} | {top.Before / 1024.0:N0} | {top.Peak / 1024.0:N0} | {top.Added / 1024.0:N0} | {top.Added / 1024.0 / sizeMib:N2} | {elapsed.TotalSeconds:N1} |"));
                    Console.WriteLine(rows[^1]);
                }

                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }

        Console.WriteLine();
        Console.WriteLine("| checkout | messages | process | RSS before MiB | peak RSS MiB | peak added MiB | added / message size | seconds |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    private static async Task<(IReadOnlyList<PeakMemorySampler.Usage> Usages, TimeSpan Elapsed, int Refused)> MeasureAsync(EncimapMx mx, MessageBody body, int count)
    {
        var services = mx.ServicePids;
        var postmaster = mx.PostmasterPid;
        IEnumerable<(string, int)> Processes() =>
            services.Select(s => (s.Key, s.Value))
                .Concat(postmaster is { } pid ? ProcessTable.Descendants(pid).Select(backend => ("postgres backend", backend)) : []);

        var sampler = PeakMemorySampler.Start(Processes);
        await using (sampler)
        {
            var watch = Stopwatch.StartNew();
            var codes = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Task.Run(() => SendAsync(mx.Port, mx.Recipient, body, CancellationToken.None))));
            var elapsed = watch.Elapsed;
            await Task.Delay(500);
            return (await sampler.StopAsync(), elapsed, codes.Count(code => code != 250));
        }
    }

    /// <summary>Sends one message with <paramref name="body"/>, a header of its own (a unique Message-ID); the final reply's code.</summary>
    private static async Task<int> SendAsync(int port, string recipient, MessageBody body, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
        var stream = tcp.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII, false, 4096, leaveOpen: true);
        await ExpectAsync(reader, 220);
        await WriteAsync(stream, "EHLO bench.test\r\n");
        await ExpectAsync(reader, 250);
        await WriteAsync(stream, $"MAIL FROM:<sender@bench.test> SIZE={body.Length}\r\n");
        await ExpectAsync(reader, 250);
        await WriteAsync(stream, $"RCPT TO:<{recipient}>\r\n");
        await ExpectAsync(reader, 250);
        await WriteAsync(stream, "DATA\r\n");
        await ExpectAsync(reader, 354);
        await WriteAsync(stream, $"From: <sender@bench.test>\r\nTo: <{recipient}>\r\nSubject: memory benchmark\r\nMessage-ID: <{Guid.NewGuid():N}@bench.test>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n");
        await body.WriteAsync(stream, cancellationToken);

        await WriteAsync(stream, ".\r\n");
        var code = await ReadReplyAsync(reader);
        await WriteAsync(stream, "QUIT\r\n");
        return code;
    }

    private static async Task WriteAsync(NetworkStream stream, string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text));

    private static async Task ExpectAsync(StreamReader reader, int expected)
    {
        var code = await ReadReplyAsync(reader);
        if (code != expected)
        {
            throw new InvalidOperationException($"expected {expected}, got {code}");
        }
    }

    private static async Task<int> ReadReplyAsync(StreamReader reader)
    {
        while (true)
        {
            var line = await reader.ReadLineAsync() ?? throw new IOException("the server closed the connection");
            if (line.Length < 4 || line[3] != '-')
            {
                return int.Parse(line.AsSpan(0, 3), CultureInfo.InvariantCulture);
            }
        }
    }
}

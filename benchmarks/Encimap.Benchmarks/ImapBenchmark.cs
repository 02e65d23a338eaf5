using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
/// The IMAP service as deployed (certificates, API, intake and IMAP processes over a PostgreSQL
/// cluster with fsync on) against Debian's Dovecot holding the same stored (encrypted) messages in
/// a Maildir, in the same run, both over implicit TLS: seconds for
/// <c>UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)</c>, for
/// <c>UID FETCH 1:* BODY.PEEK[]</c> and for a full <c>mbsync</c> into an empty Maildir (median of
/// the runs, after untimed warm-up runs), with the ratio; and first, on the freshly
/// loaded servers, the memory (PSS) of the IMAP service (and of all Dovecot's processes) with 200
/// logged-in connections idling in INBOX.
/// </summary>
public sealed class ImapBenchmark : IBenchmark
{
    public string Description => "IMAP FETCH/mbsync seconds vs Dovecot on a 2,000 × 5 KB vaultbox; RSS with 200 IDLE connections [--messages 2000] [--size 5000] [--runs 3] [--warmup 5] [--idle 200]";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var messageCount = arguments.GetInt("messages", 2000);
        var size = arguments.GetInt("size", 5000);
        var runs = arguments.GetInt("runs", 3);
        var warmups = arguments.GetInt("warmup", 5);
        var idleConnections = arguments.GetInt("idle", 200);
        await using var started = await ImapServers.StartAsync(messageCount, size, idleConnections + 20);
        var (directory, tlsCertificate) = (started.Directory, started.TlsCertificate);
        var (imapsPort, username, password) = (started.EncimapPort, started.EncimapUser, started.EncimapPassword);
        var (dovecotPort, dovecotUser, dovecotPassword) = (started.DovecotPort, ImapServers.DovecotUser, ImapServers.DovecotPassword);
        var dovecotPid = started.DovecotPid;
        var imap = started.Imap;
        Console.WriteLine();

        // Memory with idle connections.
        var before = Rss(imap.Pid);
        var dovecotBefore = TreeRss(dovecotPid);
        var idlers = new List<BenchClient>();
        var idlersDovecot = new List<BenchClient>();
        try
        {
            for (var i = 0; i < idleConnections; i++)
            {
                idlers.Add(await Connect("Encimap", i, () => BenchClient.IdleAsync(imapsPort, username, password)));
                idlersDovecot.Add(await Connect("Dovecot", i, () => BenchClient.IdleAsync(dovecotPort, dovecotUser, dovecotPassword)));
            }

            await Task.Delay(2000);
            GC.Collect();
            var after = Rss(imap.Pid);
            var dovecotAfter = TreeRss(dovecotPid);
            Console.WriteLine($"{idleConnections} connections logged in and idling in INBOX:");
            Console.WriteLine($"  Encimap IMAP process PSS: {before / 1024.0:N1} MiB before -> {after / 1024.0:N1} MiB ({(after - before) / (double)idleConnections:N0} KiB per connection)");
            Console.WriteLine($"  Dovecot (all its processes) PSS: {dovecotBefore / 1024.0:N1} MiB before -> {dovecotAfter / 1024.0:N1} MiB ({(dovecotAfter - dovecotBefore) / (double)idleConnections:N0} KiB per connection)");
        }
        finally
        {
            foreach (var client in idlers.Concat(idlersDovecot))
            {
                await client.DisposeAsync();
            }
        }

        Console.WriteLine();
        var servers = new (string Name, int Port, string User, string Password)[]
        {
            ("Encimap", imapsPort, username, password),
            ("Dovecot", dovecotPort, dovecotUser, dovecotPassword),
        };
        var rows = new List<(string Name, double Encimap, double Dovecot)>();
        foreach (var (label, command) in new[]
        {
            ("UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)", "UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)"),
            ("UID FETCH 1:* BODY.PEEK[]", "UID FETCH 1:* BODY.PEEK[]"),
        })
        {
            var seconds = new double[2];
            for (var s = 0; s < servers.Length; s++)
            {
                var server = servers[s];
                await using var client = await BenchClient.LoginAsync(server.Port, server.User, server.Password);
                await client.CommandAsync("SELECT INBOX");
                // Warm-up, untimed: a long-running server's steady state (Encimap's JIT has
                // optimized the hot paths; Dovecot has filled its index cache).
                for (var i = 0; i < warmups; i++)
                {
                    await client.CommandAsync(command);
                }

                var samples = new List<double>();
                for (var i = 0; i < runs; i++)
                {
                    var clock = Stopwatch.StartNew();
                    var (bytes, responses) = await client.CommandAsync(command);
                    samples.Add(clock.Elapsed.TotalSeconds);
                    if (responses < messageCount)
                    {
                        throw new InvalidOperationException($"{server.Name}: {responses} FETCH responses, expected {messageCount}");
                    }
                }

                seconds[s] = Median(samples);
            }

            rows.Add((label, seconds[0], seconds[1]));
        }

        var mbsync = new double[2];
        for (var s = 0; s < servers.Length; s++)
        {
            var server = servers[s];
            var samples = new List<double>();
            for (var i = 0; i <= runs; i++)
            {
                var local = Path.Combine(directory, $"mbsync-{server.Name}-{i}");
                var config = WriteMbsyncConfig(local, server.Port, server.User, server.Password, tlsCertificate);
                var clock = Stopwatch.StartNew();
                await ImapServers.Run("mbsync", ["-q", "-c", config, "-a"]);
                if (i > 0)
                {
                    samples.Add(clock.Elapsed.TotalSeconds);
                }

                var synced = Directory.GetFiles(Path.Combine(local, "mail", "INBOX", "cur")).Length + Directory.GetFiles(Path.Combine(local, "mail", "INBOX", "new")).Length;
                if (synced != messageCount)
                {
                    throw new InvalidOperationException($"{server.Name}: mbsync fetched {synced} messages, expected {messageCount}");
                }

                Directory.Delete(local, recursive: true);
            }

            mbsync[s] = Median(samples);
        }

        rows.Add(("full mbsync to an empty Maildir", mbsync[0], mbsync[1]));
        Console.WriteLine($"| operation ({messageCount} messages, median of {runs}) | Encimap s | Dovecot s | Encimap / Dovecot |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, encimap, dovecot) in rows)
        {
            Console.WriteLine($"| `{name}` | {encimap:N3} | {dovecot:N3} | {encimap / dovecot:N2} |");
        }

        return 0;
    }

    private static async Task<BenchClient> Connect(string server, int index, Func<Task<BenchClient>> connect)
    {
        try
        {
            return await connect();
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            throw new InvalidOperationException($"{server}: idle connection {index + 1} failed: {e.Message}", e);
        }
    }

    private static double Median(List<double> samples)
    {
        samples.Sort();
        return samples[samples.Count / 2];
    }

    private static string WriteMbsyncConfig(string local, int port, string user, string password, string certificate)
    {
        Directory.CreateDirectory(Path.Combine(local, "mail"));
        var config = Path.Combine(local, "mbsyncrc");
        File.WriteAllText(config, $"""
            IMAPAccount server
            Host 127.0.0.1
            Port {port}
            User {user}
            Pass {password}
            SSLType IMAPS
            CertificateFile {certificate}

            IMAPStore remote
            Account server

            MaildirStore local
            Path {local}/mail/
            Inbox {local}/mail/INBOX
            SubFolders Verbatim

            Channel all
            Far :remote:
            Near :local:
            Patterns *
            Create Near
            SyncState *

            """);
        return config;
    }

    /// <summary>
    /// Proportional set size (KiB): resident memory with each shared page divided among the
    /// processes that map it — the fair sum for a server made of many processes (Dovecot), where
    /// adding up RSS would count the shared libraries once per process.
    /// </summary>
    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
        {
            if (line.StartsWith("Pss:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            }
        }

        return 0;
    }

    /// <summary>PSS (KiB) of a process and all its descendants.</summary>
    private static long TreeRss(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(pid);
            }
            catch (IOException)
            {
            }
        }

        long total = 0;
        var pending = new Stack<int>([root]);
        while (pending.Count > 0)
        {
            var pid = pending.Pop();
            try
            {
                total += Rss(pid);
            }
            catch (IOException)
            {
            }

            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                pending.Push(child);
            }
        }

        return total;
    }

    /// <summary>A minimal IMAP client that reads whole responses as bytes (literals included).</summary>
    private sealed class BenchClient : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly SslStream _ssl;
        private readonly byte[] _buffer = new byte[256 * 1024];
        private int _tag;

        private BenchClient(TcpClient tcp, SslStream ssl)
        {
            _tcp = tcp;
            _ssl = ssl;
        }

        public static async Task<BenchClient> LoginAsync(int port, string user, string password)
        {
            var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync("localhost");
            var client = new BenchClient(tcp, ssl);
            await client.ReadUntilAsync("\r\n"u8.ToArray());
            await client.CommandAsync($"LOGIN {user} \"{password}\"");
            return client;
        }

        public static async Task<BenchClient> IdleAsync(int port, string user, string password)
        {
            var client = await LoginAsync(port, user, password);
            await client.CommandAsync("SELECT INBOX");
            await client._ssl.WriteAsync("idle IDLE\r\n"u8.ToArray());
            await client.ReadUntilAsync("+ "u8.ToArray());
            return client;
        }

        /// <summary>Sends a command; returns the bytes received and the number of untagged FETCH responses.</summary>
        public async Task<(long Bytes, int Fetches)> CommandAsync(string command)
        {
            var tag = $"b{++_tag}";
            await _ssl.WriteAsync(Encoding.ASCII.GetBytes($"{tag} {command}\r\n"));
            var (bytes, fetches) = await ReadUntilAsync(Encoding.ASCII.GetBytes($"\r\n{tag} "), countFetches: true);
            return (bytes, fetches);
        }

        private async Task<(long Bytes, int Fetches)> ReadUntilAsync(byte[] marker, bool countFetches = false)
        {
            long total = 0;
            var fetches = 0;
            // Every response before this one ended with CRLF: a tagged line may open the first read.
            var tail = new List<byte>("\r\n"u8.ToArray());
            byte[] fetch = " FETCH ("u8.ToArray();
            while (true)
            {
                var n = await _ssl.ReadAsync(_buffer);
                if (n == 0)
                {
                    throw new EndOfStreamException();
                }

                total += n;
                var window = tail.Concat(_buffer.Take(n)).ToArray();
                if (countFetches)
                {
                    for (var i = window.AsSpan().IndexOf(fetch); i >= 0;)
                    {
                        fetches++;
                        var next = window.AsSpan(i + 1).IndexOf(fetch);
                        i = next < 0 ? -1 : i + 1 + next;
                    }
                }

                var found = window.AsSpan().IndexOf(marker);
                if (found >= 0 && window.AsSpan(found + marker.Length).IndexOf("\r\n"u8) >= 0)
                {
                    return (total, fetches);
                }

                if (found >= 0)
                {
                    // The tagged line has begun: keep it whole for the next read.
                    tail = window[found..].ToList();
                    continue;
                }

                tail = window[Math.Max(0, window.Length - 64)..].ToList();
                if (countFetches)
                {
                    // Avoid counting a FETCH marker twice across reads.
                    var last = tail.ToArray().AsSpan().LastIndexOf(fetch);
                    if (last >= 0)
                    {
                        tail = tail.Skip(last + 1).ToList();
                    }
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _ssl.DisposeAsync();
            _tcp.Dispose();
        }
    }
}

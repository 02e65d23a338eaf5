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
        var directory = Directory.CreateTempSubdirectory("encimap-bench-imap-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        var dovecotScript = Path.Combine(RepositoryRoot(), "benchmarks", "peers", "dovecot.sh");
        var dovecotDirectory = Path.Combine(directory, "dovecot");
        try
        {
            await using var cluster = await EmbeddedPostgresCluster.StartAsync(new EmbeddedPostgresOptions
            {
                Directory = Path.Combine(directory, "pg"),
                StopWhenProcessExits = true,
                DeleteDirectoryOnStop = true,
            });
            var databases = (await new DatabaseProvisioner().SetUpAsync(cluster.SuperuserConnectionString)).Databases;
            var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
            var quiet = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning", ["Jwt__S2S__SigningKey"] = signingKey };
            var certificatesGrpc = ServiceProcess.FreePort();
            await using var certificates = await ServiceProcess.StartAsync("Encimap.Certificates", ServiceProcess.FreePort(), With(quiet, new()
            {
                ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
                ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{certificatesGrpc}",
                ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
                ["Certificates__KekDirectory"] = Path.Combine(directory, "kek"),
                ["Certificates__GenerateDevelopmentKek"] = "true",
            }));
            var apiGrpc = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
            await using var api = await ServiceProcess.StartAsync("Encimap.Api", ServiceProcess.FreePort(), With(quiet, new()
            {
                ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
                ["ConnectionStrings__platform"] = databases.PlatformReaderConnectionString,
                ["Kestrel__Endpoints__grpc__Url"] = apiGrpc,
                ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
                ["services__certificates__grpc__0"] = $"http://127.0.0.1:{certificatesGrpc}",
            }));
            var intakeGrpc = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort()}");
            await using var intake = await ServiceProcess.StartAsync("Encimap.Intake", ServiceProcess.FreePort(), With(quiet, new()
            {
                ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
                ["Kestrel__Endpoints__grpc__Url"] = intakeGrpc.AbsoluteUri,
                ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
                ["services__certificates__grpc__0"] = $"http://127.0.0.1:{certificatesGrpc}",
            }));
            var (tlsCertificate, tlsKey) = WriteTlsCertificate(directory);
            var imapsPort = ServiceProcess.FreePort();
            await using var imap = await ServiceProcess.StartAsync("Encimap.Imap", ServiceProcess.FreePort(), With(quiet, new()
            {
                ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
                ["services__api__grpc__0"] = apiGrpc,
                ["services__intake__grpc__0"] = intakeGrpc.AbsoluteUri,
                ["Imap__Endpoint"] = "",
                ["Imap__TlsEndpoint"] = $"127.0.0.1:{imapsPort}",
                ["Imap__MaxConnectionsPerUser"] = (idleConnections + 20).ToString(),
                ["Tls__CertificatePemFile"] = tlsCertificate,
                ["Tls__KeyPemFile"] = tlsKey,
                ["Logging__LogLevel__Encimap.Imap"] = Environment.GetEnvironmentVariable("IMAP_BENCH_LOG") ?? "Warning",
            }));

            AppDomain.CurrentDomain.UnhandledException += (_, _) => Console.Error.WriteLine("IMAP service output:\n" + imap.Output);
            var (vaultboxId, address, username, password) = await CreateAccountAsync(databases.PlatformOwnerConnectionString, api.Http, signingKey);
            var load = Stopwatch.StartNew();
            await DeliverAsync(intakeGrpc, signingKey, address, messageCount, size);
            Console.WriteLine($"{messageCount} messages of ~{size / 1000} KB delivered (encrypted) in {load.Elapsed.TotalSeconds:N1} s; " +
                $"{Environment.ProcessorCount} cores; PostgreSQL {cluster.MajorVersion} (fsync on); both servers over TLS on loopback");

            // Dovecot gets the very bytes Encimap serves.
            var maildir = Path.Combine(dovecotDirectory, "mail", "cur");
            Directory.CreateDirectory(maildir);
            var storedBytes = await ExportAsync(databases.EncimapOwnerConnectionString, vaultboxId, maildir);
            const string dovecotUser = "bench";
            const string dovecotPassword = "bench-password";
            var dovecotPort = ServiceProcess.FreePort();
            var started = await Run("bash", [dovecotScript, "start", dovecotDirectory, dovecotPort.ToString(), dovecotUser, dovecotPassword, tlsCertificate, tlsKey]);
            var dovecotPid = int.Parse(started.Trim().Split('\n')[^1]);
            Console.WriteLine($"Dovecot {(await Run("dovecot", ["--version"])).Trim()} with the same {messageCount} stored messages ({storedBytes / 1024.0 / 1024.0:N1} MiB) in a Maildir");
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
                    await Run("mbsync", ["-q", "-c", config, "-a"]);
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
        finally
        {
            if (File.Exists(Path.Combine(dovecotDirectory, "dovecot.conf")))
            {
                await Run("bash", [dovecotScript, "stop", dovecotDirectory]);
            }

            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
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

    private static Dictionary<string, string> With(Dictionary<string, string> common, Dictionary<string, string> specific)
    {
        var all = new Dictionary<string, string>(common);
        foreach (var (key, value) in specific)
        {
            all[key] = value;
        }

        return all;
    }

    private static double Median(List<double> samples)
    {
        samples.Sort();
        return samples[samples.Count / 2];
    }

    private static async Task DeliverAsync(Uri grpc, string signingKey, string address, int count, int size)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Jwt:S2S:SigningKey"] = signingKey })
            .Build());
        services.AddInternalGrpcClient<IntakeContract.IntakeClient>(IntakeContract.Descriptor, "intake", caller: "benchmark", address: grpc);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IntakeContract.IntakeClient>();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) <= count)
            {
                var request = new DeliverRequest
                {
                    EnvelopeSender = $"sender{n % 50}@elsewhere.example",
                    RawMessage = ByteString.CopyFromUtf8(Message(n, size)),
                    ClientAddress = "192.0.2.10",
                    ClientHelo = "mx.elsewhere.example",
                };
                request.Recipients.Add(address);
                await client.DeliverAsync(request);
            }
        }));
    }

    private static string Message(int n, int size)
    {
        var header = $"From: Sender {n % 50} <sender{n % 50}@elsewhere.example>\r\nTo: box@bench.example\r\nSubject: Benchmark message {n}\r\n" +
            $"Date: {DateTimeOffset.UtcNow.AddMinutes(-n):R}\r\nMessage-ID: <bench{n}.{Guid.NewGuid():N}@elsewhere.example>\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n\r\n";
        var body = new StringBuilder();
        var random = new Random(n);
        while (header.Length + body.Length < size)
        {
            body.Append("Lorem ipsum dolor sit amet ").Append(random.Next()).Append(", consectetur adipiscing elit.\r\n");
        }

        return header + body;
    }

    private static async Task<long> ExportAsync(string owner, Guid vaultboxId, string maildir)
    {
        await using var connection = new NpgsqlConnection(owner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT m.uid, message_bytes(m.content, m.content_der) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'INBOX' ORDER BY m.uid", connection);
        command.Parameters.AddWithValue(vaultboxId);
        await using var reader = await command.ExecuteReaderAsync();
        long total = 0;
        while (await reader.ReadAsync())
        {
            var content = reader.GetFieldValue<byte[]>(1);
            total += content.Length;
            var uid = reader.GetInt64(0);
            await File.WriteAllBytesAsync(Path.Combine(maildir, $"{1700000000 + uid}.M{uid}P1.bench,S={content.Length}:2,"), content);
        }

        return total;
    }

    private static async Task<(Guid Id, string Address, string Username, string Password)> CreateAccountAsync(string platformOwner, Uri api, string signingKey)
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
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("vaultbox_id").GetGuid();
        using var credentials = await http.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials", null);
        credentials.EnsureSuccessStatusCode();
        var data = JsonDocument.Parse(await credentials.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        return (id, $"box@{domain}", data.GetProperty("username").GetString()!, data.GetProperty("password").GetString()!);
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

    private static (string Certificate, string Key) WriteTlsCertificate(string directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certificatePath = Path.Combine(directory, "tls.crt.pem");
        var keyPath = Path.Combine(directory, "tls.key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
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

    private static async Task<string> Run(string program, IEnumerable<string> arguments)
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
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {await output}{await error}");
        }

        return await output;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Encimap.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
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

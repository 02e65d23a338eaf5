using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
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
/// What the IMAP benchmarks compare, holding the same messages: the IMAP service as deployed
/// (certificates, API, intake and IMAP processes over a private PostgreSQL cluster with fsync on)
/// with one vaultbox, and Debian's Dovecot (<c>benchmarks/peers/dovecot.sh</c>) with the very bytes
/// Encimap stores in a Maildir; both over implicit TLS on loopback. Disposing stops all of it.
/// </summary>
public sealed class ImapServers : IAsyncDisposable
{
    public const string DovecotUser = "bench";
    public const string DovecotPassword = "bench-password";

    private readonly Stack<IAsyncDisposable> _owned = new();
    private readonly string _dovecotScript = Path.Combine(RepositoryRoot(), "benchmarks", "peers", "dovecot.sh");
    private bool _dovecotStarted;
    private string? _superuser;

    /// <summary>IMAP_BENCH_STATEMENTS=1: the cluster counts its statements (pg_stat_statements), printed by <see cref="PrintStatementsAsync"/>.</summary>
    private static bool ProfileStatements => Environment.GetEnvironmentVariable("IMAP_BENCH_STATEMENTS") == "1";

    private ImapServers(string directory) => Directory = directory;

    /// <summary>A directory of the run's own (deleted at the end).</summary>
    public string Directory { get; }

    /// <summary>The servers' certificate (PEM), self-signed for localhost.</summary>
    public string TlsCertificate { get; private set; } = "";

    public ServiceProcess Imap { get; private set; } = null!;

    public int EncimapPort { get; private set; }

    public string EncimapUser { get; private set; } = "";

    public string EncimapPassword { get; private set; } = "";

    public int DovecotPort { get; private set; }

    /// <summary>Dovecot's master process.</summary>
    public int DovecotPid { get; private set; }

    private string DovecotDirectory => Path.Combine(Directory, "dovecot");

    /// <summary>Starts both with <paramref name="messageCount"/> messages of about <paramref name="size"/> bytes in INBOX.</summary>
    public static async Task<ImapServers> StartAsync(int messageCount, int size, int maxConnectionsPerUser)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("encimap-bench-imap-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        var servers = new ImapServers(directory);
        try
        {
            await servers.StartAsync(messageCount, size, maxConnectionsPerUser, directory);
            return servers;
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
    }

    private T Own<T>(T owned) where T : IAsyncDisposable
    {
        _owned.Push(owned);
        return owned;
    }

    private async Task StartAsync(int messageCount, int size, int maxConnectionsPerUser, string directory)
    {
        var servers = this;
        var dovecotScript = _dovecotScript;
        var dovecotDirectory = DovecotDirectory;
        var cluster = servers.Own(await EmbeddedPostgresCluster.StartAsync(new EmbeddedPostgresOptions
        {
            Directory = Path.Combine(directory, "pg"),
            StopWhenProcessExits = true,
            DeleteDirectoryOnStop = true,
            Settings = ProfileStatements ? new Dictionary<string, string> { ["shared_preload_libraries"] = "pg_stat_statements", ["pg_stat_statements.track"] = "all", ["track_wal_io_timing"] = "on" } : new Dictionary<string, string>(),
        }));
        _superuser = cluster.SuperuserConnectionString;
        var databases = (await new DatabaseProvisioner().SetUpAsync(cluster.SuperuserConnectionString)).Databases;
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var quiet = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning", ["Jwt__S2S__SigningKey"] = signingKey };
        var certificatesGrpc = ServiceProcess.FreePort();
        var certificates = servers.Own(await ServiceProcess.StartAsync("Encimap.Certificates", ServiceProcess.FreePort(), With(quiet, new()
        {
            ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{certificatesGrpc}",
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["Certificates__KekDirectory"] = Path.Combine(directory, "kek"),
            ["Certificates__GenerateDevelopmentKek"] = "true",
        })));
        var apiGrpc = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        var api = servers.Own(await ServiceProcess.StartAsync("Encimap.Api", ServiceProcess.FreePort(), With(quiet, new()
        {
            ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
            ["ConnectionStrings__platform"] = databases.PlatformReaderConnectionString,
            ["Kestrel__Endpoints__grpc__Url"] = apiGrpc,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = $"http://127.0.0.1:{certificatesGrpc}",
        })));
        var intakeGrpc = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort()}");
        var intake = servers.Own(await ServiceProcess.StartAsync("Encimap.Intake", ServiceProcess.FreePort(), With(quiet, new()
        {
            ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
            ["Kestrel__Endpoints__grpc__Url"] = intakeGrpc.AbsoluteUri,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["services__certificates__grpc__0"] = $"http://127.0.0.1:{certificatesGrpc}",
        })));
        var (tlsCertificate, tlsKey) = WriteTlsCertificate(directory);
        servers.TlsCertificate = tlsCertificate;
        var imapsPort = servers.EncimapPort = ServiceProcess.FreePort();
        servers.Imap = servers.Own(await ServiceProcess.StartAsync("Encimap.Imap", ServiceProcess.FreePort(), With(quiet, new()
        {
            ["ConnectionStrings__encimap"] = databases.EncimapAppConnectionString,
            ["services__api__grpc__0"] = apiGrpc,
            ["services__intake__grpc__0"] = intakeGrpc.AbsoluteUri,
            ["Imap__Endpoint"] = "",
            ["Imap__TlsEndpoint"] = $"127.0.0.1:{imapsPort}",
            ["Imap__MaxConnectionsPerUser"] = maxConnectionsPerUser.ToString(),
            ["Tls__CertificatePemFile"] = tlsCertificate,
            ["Tls__KeyPemFile"] = tlsKey,
            ["Logging__LogLevel__Encimap.Imap"] = Environment.GetEnvironmentVariable("IMAP_BENCH_LOG") ?? "Warning",
        })));

        AppDomain.CurrentDomain.UnhandledException += (_, _) => Console.Error.WriteLine("IMAP service output:\n" + servers.Imap.Output);
        var (vaultboxId, address, username, password) = await CreateAccountAsync(databases.PlatformOwnerConnectionString, api.Http, signingKey);
        (servers.EncimapUser, servers.EncimapPassword) = (username, password);
        var load = Stopwatch.StartNew();
        await DeliverAsync(intakeGrpc, signingKey, address, messageCount, size);
        Console.WriteLine($"{messageCount} messages of ~{size / 1000} KB delivered (encrypted) in {load.Elapsed.TotalSeconds:N1} s; " +
            $"{Environment.ProcessorCount} cores; PostgreSQL {cluster.MajorVersion} (fsync on); both servers over TLS on loopback");

        // Dovecot gets the very bytes Encimap serves.
        var maildir = Path.Combine(dovecotDirectory, "mail", "cur");
        System.IO.Directory.CreateDirectory(maildir);
        var storedBytes = await ExportAsync(databases.EncimapOwnerConnectionString, vaultboxId, maildir);
        var dovecotPort = servers.DovecotPort = ServiceProcess.FreePort();
        servers._dovecotStarted = true;
        var started = await Run("bash", [dovecotScript, "start", dovecotDirectory, dovecotPort.ToString(), DovecotUser, DovecotPassword, tlsCertificate, tlsKey]);
        servers.DovecotPid = int.Parse(started.Trim().Split('\n')[^1]);
        Console.WriteLine($"Dovecot {(await Run("dovecot", ["--version"])).Trim()} with the same {messageCount} stored messages ({storedBytes / 1024.0 / 1024.0:N1} MiB) in a Maildir");
    }

    /// <summary>With IMAP_BENCH_STATEMENTS=1: forgets the statements counted so far (reset is true) or prints the costliest ones.</summary>
    public async Task PrintStatementsAsync(bool reset)
    {
        if (!ProfileStatements || _superuser is null)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(_superuser);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        if (reset)
        {
            await using var forget = new NpgsqlCommand("SELECT pg_stat_statements_reset(), pg_stat_reset_shared('wal')", connection);
            await forget.ExecuteNonQueryAsync();
            return;
        }

        await using (var wal = new NpgsqlCommand("SELECT wal_records, wal_write, wal_sync, wal_sync_time FROM pg_stat_wal", connection))
        await using (var walReader = await wal.ExecuteReaderAsync())
        {
            await walReader.ReadAsync();
            Console.WriteLine($"WAL: {walReader.GetInt64(0)} records, {walReader.GetInt64(1)} writes, {walReader.GetInt64(2)} syncs taking {walReader.GetDouble(3):N0} ms in all");
        }

        await using var command = new NpgsqlCommand(
            "SELECT calls, total_exec_time, mean_exec_time, rows, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Console.WriteLine("| calls | total ms | mean ms | rows | statement |");
        Console.WriteLine("|---:|---:|---:|---:|---|");
        while (await reader.ReadAsync())
        {
            var query = reader.GetString(4);
            Console.WriteLine($"| {reader.GetInt64(0)} | {reader.GetDouble(1):N0} | {reader.GetDouble(2):N2} | {reader.GetInt64(3)} | `{(query.Length > 160 ? query[..160] + "…" : query)}` |");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_dovecotStarted)
        {
            await Run("bash", [_dovecotScript, "stop", DovecotDirectory]);
        }

        while (_owned.TryPop(out var owned))
        {
            await owned.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
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
            "SELECT m.uid, message_bytes(m) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'INBOX' ORDER BY m.uid", connection);
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


    /// <summary>Runs a program to its end; its standard output, or an exception naming what it wrote on failure.</summary>
    internal static async Task<string> Run(string program, IEnumerable<string> arguments)
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
}

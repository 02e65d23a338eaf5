using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Encimap.Testing;
using Npgsql;
using IntakeContract = Encimap.Contracts.Intake.Intake;

namespace Encimap.Intake.Tests;

/// <summary>
/// The fleet the intake's tests share, with a user and a verified domain for their vaultboxes.
/// The intake has a small message limit and a short certificate cache, and its HTTP endpoint
/// listens on every address, so that a test can reach it from a non-loopback address too. A
/// second intake (<see cref="GuardedIntake"/>) requires a token on its HTTP endpoint and accepts
/// messages above Kestrel's default request body limit.
/// </summary>
public sealed class IntakeFixture : EncimapFleet
{
    /// <summary>The fleet's intake's message limit (the default is 50 MiB; the benchmark covers that size).</summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    /// <summary>The second intake: its HTTP endpoint needs <see cref="HttpToken"/> from everyone.</summary>
    public const string GuardedIntake = "intake-guarded";

    /// <summary>The second intake's message limit, above Kestrel's default request body limit (30,000,000 bytes).</summary>
    public const int GuardedMaxMessageBytes = 36 * 1024 * 1024;

    public const string HttpToken = "s3cret-intake-token-for-tests";

    public const string P12Password = "intake-tests-p12";

    /// <summary>How long the intake reuses a vaultbox's certificates (shorter than the default, to test freshness).</summary>
    public static readonly TimeSpan CertificateCacheTtl = TimeSpan.FromSeconds(3);

    public IntakeFixture()
    {
        Configure("api", "Api__BcryptCost", "4");
        Configure("certificates", "Certificates__KeyPoolSize", "4");
        AddInstance("intake", GuardedIntake);
        foreach (var intake in (string[])["intake", GuardedIntake])
        {
            Configure(intake, "Intake__HostName", "intake.test.example");
            Configure(intake, "Intake__CertificateCacheTtl", CertificateCacheTtl.ToString("c", CultureInfo.InvariantCulture));
        }

        Configure("intake", "Intake__MaxMessageBytes", MaxMessageBytes.ToString(CultureInfo.InvariantCulture));
        Configure("intake", "Kestrel__Endpoints__http__Url", $"http://0.0.0.0:{Port(4321).ToString(CultureInfo.InvariantCulture)}");
        Configure(GuardedIntake, "Intake__MaxMessageBytes", GuardedMaxMessageBytes.ToString(CultureInfo.InvariantCulture));
        Configure(GuardedIntake, "Intake__HttpToken", HttpToken);
    }

    public Guid UserId { get; private set; }

    public string Domain { get; private set; } = "";

    /// <summary>The port of the intake's HTTP endpoint (on every address).</summary>
    public int IntakeHttpPort => Http("intake").Port;

    /// <summary>The intake over gRPC as another service of the fleet (with an internal-call token).</summary>
    public IntakeContract.IntakeClient Client => InternalGrpcClient<IntakeContract.IntakeClient>(IntakeContract.Descriptor, "intake");

    /// <summary>The same, without a token: anyone who can reach the port.</summary>
    public IntakeContract.IntakeClient AnonymousClient => new(GrpcChannelWithoutToken("intake"));

    /// <summary>The API as the fleet's user.</summary>
    public HttpClient ApiClient { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        (UserId, Domain) = await AddUserWithDomainAsync();
        ApiClient = ApiClientFor(UserId, TimeSpan.FromHours(2));
    }

    public override async Task DisposeAsync()
    {
        ApiClient?.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>Creates a vaultbox through the API and sets its intake options directly.</summary>
    public async Task<Vaultbox> CreateVaultboxAsync(string prefix, bool hideSubject = false, string keyTransport = "rsa-pkcs1")
    {
        var alias = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 60)];
        using var response = await ApiClient.PostAsJsonAsync("/s2s/v1/vaultboxes", new { domain = Domain, alias });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("vaultbox_id").GetGuid();
        if (hideSubject || keyTransport != "rsa-pkcs1")
        {
            await ExecuteAsync("UPDATE vaultboxes SET hide_subject = $2, key_transport = $3 WHERE id = $1", id, hideSubject, keyTransport);
        }

        return new Vaultbox(id, $"{alias}@{Domain}");
    }

    /// <summary>Issues another certificate for the vaultbox (the first stays active).</summary>
    public async Task AddCertificateAsync(Vaultbox vaultbox)
    {
        using var response = await ApiClient.PostAsJsonAsync("/s2s/v1/generate-certificate", new { email = vaultbox.Address, days = 30 });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The vaultbox's P12, as its owner downloads it.</summary>
    public async Task<byte[]> DownloadP12Async(Guid vaultboxId)
    {
        using var response = await ApiClient.PostAsJsonAsync("/s2s/v1/p12", new { vaultbox_id = vaultboxId, password = P12Password });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadAsByteArrayAsync();
    }

    public NpgsqlConnection OpenOwner() => new(EncimapOwnerConnectionString);

    public Task<long> MessageCountAsync(Guid vaultboxId) =>
        ScalarAsync<long>("SELECT count(*) FROM messages WHERE vaultbox_id = $1", vaultboxId);

    public Task<long> TotalMessageCountAsync() => ScalarAsync<long>("SELECT count(*) FROM messages");

    /// <summary>The stored content of a message.</summary>
    public Task<byte[]> ContentAsync(Guid vaultboxId, long uid) =>
        ScalarAsync<byte[]>("SELECT message_bytes(m) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'INBOX' AND m.uid = $2", vaultboxId, uid);
}

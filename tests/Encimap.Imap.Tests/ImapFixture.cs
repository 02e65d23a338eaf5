using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Encimap.Contracts.Intake;
using Encimap.Testing;
using IntakeContract = Encimap.Contracts.Intake.Intake;

namespace Encimap.Imap.Tests;

/// <summary>
/// The fleet the IMAP tests share, with a user and a verified domain for their vaultboxes, and a
/// second IMAP instance over the same database (<see cref="SecondImap"/>: IDLE across instances).
/// Failed logins are penalized briefly and refused early (<see cref="LoginPenaltyTests"/>).
/// </summary>
public sealed class ImapFixture : EncimapFleet
{
    public const string P12Password = "imap-tests-p12";

    /// <summary>The second IMAP instance.</summary>
    public const string SecondImap = "imap-second";

    private readonly string _directory = Directory.CreateTempSubdirectory("encimap-imap-").FullName;

    public ImapFixture()
    {
        Configure("api", "Api__BcryptCost", "4");
        Configure("certificates", "Certificates__KeyPoolSize", "4");
        Configure("intake", "Intake__HostName", "intake.test.example");
        AddInstance("imap", SecondImap);
        foreach (var imap in (string[])["imap", SecondImap])
        {
            Configure(imap, "Imap__LoginPenalty__InitialDelay", "00:00:00.100");
            Configure(imap, "Imap__LoginPenalty__MaxDelay", "00:00:02");
            Configure(imap, "Imap__LoginPenalty__MaxFailuresPerAddressAndUsername", "5");
            Configure(imap, "Imap__LoginPenalty__MaxFailuresPerAddress", "10");
        }
    }

    /// <summary>The cleartext IMAP port (STARTTLS).</summary>
    public int ImapPort => Endpoint("imap", "imap").Port;

    /// <summary>The implicit-TLS IMAP port.</summary>
    public int ImapsPort => Endpoint("imap", "imaps").Port;

    /// <summary>The implicit-TLS port of the second IMAP instance.</summary>
    public int SecondImapsPort => Endpoint(SecondImap, "imaps").Port;

    /// <summary>A directory of the tests' own (key files, fetched messages), deleted with the fleet.</summary>
    public string WorkDirectory => _directory;

    public Guid UserId { get; private set; }

    public string Domain { get; private set; } = "";

    public HttpClient ApiClient { get; private set; } = null!;

    public IntakeContract.IntakeClient Intake => InternalGrpcClient<IntakeContract.IntakeClient>(IntakeContract.Descriptor, "intake");

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
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Creates a vaultbox, its IMAP credentials and its owner's key files.</summary>
    public async Task<ImapAccount> CreateAccountAsync(string prefix)
    {
        var alias = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 60)];
        using var created = await ApiClient.PostAsJsonAsync("/s2s/v1/vaultboxes", new { domain = Domain, alias });
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, text);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("vaultbox_id").GetGuid();

        using var credentials = await ApiClient.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials", null);
        var data = JsonDocument.Parse(await credentials.Content.ReadAsStringAsync()).RootElement.GetProperty("data");

        using var p12 = await ApiClient.PostAsJsonAsync("/s2s/v1/p12", new { vaultbox_id = id, password = P12Password });
        Assert.True(p12.IsSuccessStatusCode, await p12.Content.ReadAsStringAsync());
        var p12Path = Path.Combine(_directory, $"{alias}.p12");
        await File.WriteAllBytesAsync(p12Path, await p12.Content.ReadAsByteArrayAsync());
        var keyPath = Path.Combine(_directory, $"{alias}.key.pem");
        var certificatePath = Path.Combine(_directory, $"{alias}.cert.pem");
        await Tools.RunAsync("openssl", ["pkcs12", "-in", p12Path, "-nocerts", "-nodes", "-passin", $"pass:{P12Password}", "-out", keyPath]);
        await Tools.RunAsync("openssl", ["pkcs12", "-in", p12Path, "-clcerts", "-nokeys", "-passin", $"pass:{P12Password}", "-out", certificatePath]);
        return new ImapAccount(id, $"{alias}@{Domain}", data.GetProperty("username").GetString()!, data.GetProperty("password").GetString()!, p12Path, keyPath, certificatePath);
    }

    /// <summary>Delivers a message as the SMTP gateway does; returns its UID.</summary>
    public async Task<uint> DeliverAsync(ImapAccount account, string raw)
    {
        var request = new DeliverRequest
        {
            EnvelopeSender = "sender@elsewhere.example",
            RawMessage = Google.Protobuf.ByteString.CopyFromUtf8(raw),
            ClientAddress = "192.0.2.1",
            ClientHelo = "mx.elsewhere.example",
        };
        request.Recipients.Add(account.Address);
        var reply = await Intake.DeliverAsync(request);
        return reply.Results.Single().Uid;
    }

    /// <summary>Decrypts a fetched (stored) message with the account's key, as its owner would.</summary>
    public async Task<byte[]> DecryptAsync(ImapAccount account, byte[] encrypted)
    {
        var input = Path.Combine(_directory, $"in-{Guid.NewGuid():N}.eml");
        var output = Path.Combine(_directory, $"out-{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(input, encrypted);
        await Tools.RunAsync("openssl", ["cms", "-decrypt", "-in", input, "-inkey", account.KeyPemPath, "-recip", account.CertificatePemPath, "-out", output, "-binary"]);
        return await File.ReadAllBytesAsync(output);
    }
}

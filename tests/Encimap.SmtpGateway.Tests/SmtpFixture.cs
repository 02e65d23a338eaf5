using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Encimap.Testing;

namespace Encimap.SmtpGateway.Tests;

/// <summary>
/// The fleet the SMTP gateway's tests share. The gateway relays submitted mail to a
/// <see cref="Smarthost"/> the tests open and close (closed at first), retries quickly and bounces
/// after <see cref="RelayMaxAge"/>; its limits let the tests send as fast as they like, and failed
/// logins are penalized briefly and refused early (<see cref="SubmissionLoginPenaltyTests"/>). The MX
/// asks a <see cref="LoopbackDnsServer"/> of its own for SPF, DKIM and DMARC records
/// (<see cref="TestDomains"/>), with a short time-out so that a stopped server is soon a temperror.
/// </summary>
public sealed class SmtpFixture : EncimapFleet
{
    /// <summary>How long a submitted message may wait for the smarthost before it bounces.</summary>
    public static readonly TimeSpan RelayMaxAge = TimeSpan.FromSeconds(25);

    /// <summary>The gateway's message size limit (above the 20 MB message the tests send, and above the intake's).</summary>
    public const long MaxMessageSize = 40 * 1024 * 1024;

    /// <summary>The intake's message size limit: above Kestrel's default request body limit (30 MB), below the gateway's.</summary>
    public const int IntakeMaxMessageBytes = 34 * 1024 * 1024;

    private readonly string _directory = Directory.CreateTempSubdirectory("encimap-smtp-").FullName;

    public SmtpFixture()
    {
        Directory.CreateDirectory(SpoolDirectory);
        Smarthost = new Smarthost(() => Endpoint("smtp", "mx"));
        Dns = new LoopbackDnsServer(LoopbackPort.Free());
        Configure("api", "Api__BcryptCost", "4");
        Configure("api", "Api__MailHost", "mail.test.example");
        Configure("certificates", "Certificates__KeyPoolSize", "4");
        Configure("intake", "Intake__HostName", "mx.test.example");
        Configure("intake", "Intake__MaxMessageBytes", IntakeMaxMessageBytes.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["Smtp__HostName"] = "mx.test.example",
            ["Smtp__MaxMessageSize"] = MaxMessageSize.ToString(CultureInfo.InvariantCulture),
            ["Smtp__SpoolDirectory"] = SpoolDirectory,
            ["Smtp__Submission__LoginPenalty__InitialDelay"] = "00:00:00.100",
            ["Smtp__Submission__LoginPenalty__MaxDelay"] = "00:00:02",
            ["Smtp__Submission__LoginPenalty__MaxFailuresPerAddressAndUsername"] = "5",
            ["Smtp__Submission__LoginPenalty__MaxFailuresPerAddress"] = "10",
            ["Smtp__Mx__MaxConnectionRatePerIp"] = "0",
            ["Smtp__Submission__MaxConnectionRatePerIp"] = "0",
            ["Smtp__Relay__Host"] = "127.0.0.1",
            ["Smtp__Relay__Port"] = Smarthost.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp__Relay__TrustServerCertificate"] = "true",
            ["Smtp__Relay__MaxAge"] = RelayMaxAge.ToString("c", CultureInfo.InvariantCulture),
            ["Smtp__Relay__RetryBaseDelay"] = "00:00:01",
            ["Smtp__Relay__RetryMaxDelay"] = "00:00:02",
            ["Smtp__Relay__PollInterval"] = "00:00:01",
            ["Smtp__Mx__Authentication__NameServers"] = $"127.0.0.1:{Dns.Port}",
            ["Smtp__Mx__Authentication__DnsTimeout"] = "00:00:01",
            ["Smtp__Mx__Authentication__DnsRetries"] = "0",
        })
        {
            Configure("smtp", name, value);
        }
    }

    public Smarthost Smarthost { get; }

    /// <summary>Where the SMTP gateway spools messages over 1 MiB while it receives and forwards them.</summary>
    public string SpoolDirectory => Path.Combine(_directory, "spool");

    /// <summary>The DNS server of the MX's checks.</summary>
    public LoopbackDnsServer Dns { get; }

    /// <summary>The key <see cref="TestDomains.Signed"/> signs with (its record is in <see cref="Dns"/>).</summary>
    public DkimKey Dkim { get; private set; } = null!;

    public int MxPort => Endpoint("smtp", "mx").Port;

    public int SubmissionPort => Endpoint("smtp", "submission").Port;

    /// <summary>A directory of the tests' own (messages, keys), deleted with the fleet.</summary>
    public string WorkDirectory => _directory;

    public void StartSmarthost() => Smarthost.Start();

    public Task StopSmarthostAsync() => Smarthost.StopAsync();

    /// <summary>A new user with a verified domain and a vaultbox on it.</summary>
    public async Task<Vaultbox> CreateVaultboxAsync(string alias = "box")
    {
        var (userId, domain) = await AddUserWithDomainAsync();
        using var http = ApiClientFor(userId);
        using var response = await http.PostAsJsonAsync("/s2s/v1/vaultboxes", new { domain, alias, name = alias });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("vaultbox_id").GetGuid();
        return new Vaultbox(this, userId, id, $"{alias}@{domain}", domain);
    }

    public override async Task InitializeAsync()
    {
        Dkim = await DkimKey.CreateAsync(_directory);
        await Dns.StartAsync(TestDomains.Records(Dkim));
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await Dns.DisposeAsync();
        await Smarthost.DisposeAsync();
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

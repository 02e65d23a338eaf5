using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Encimap.SmtpGateway.Infrastructure;
using Microsoft.Extensions.Options;

namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// The DNS look-ups of SPF, DKIM and DMARC, on one DnsClient <see cref="LookupClient"/>: the
/// configured name servers (<see cref="AuthenticationOptions.NameServers"/>, default the system's),
/// their time-out and retries, and DnsClient's cache (answers kept for their TTL, answers without
/// records for <see cref="AuthenticationOptions.NegativeCacheDuration"/>). Every failure
/// becomes <see cref="DnsLookupStatus.Failed"/>, which the checks report as temperror: a DNS
/// failure never refuses a message.
/// </summary>
public sealed class AuthenticationDns
{
    private const int DnsPort = 53;

    private readonly LookupClient _client;

    public AuthenticationDns(IOptions<GatewayOptions> options)
    {
        var settings = options.Value.Mx.Authentication;
        var servers = ParseNameServers(settings.NameServers);
        var lookup = servers.Count == 0 ? new LookupClientOptions() : new LookupClientOptions([.. servers]);
        lookup.Timeout = settings.DnsTimeout;
        lookup.Retries = Math.Max(0, settings.DnsRetries);
        lookup.UseCache = settings.DnsCache;
        lookup.CacheFailedResults = settings.DnsCache && settings.NegativeCacheDuration > TimeSpan.Zero;
        if (lookup.CacheFailedResults)
        {
            lookup.FailedResultsCacheDuration = settings.NegativeCacheDuration;
        }

        lookup.ThrowDnsErrors = false;
        lookup.UseTcpFallback = true;
        _client = new LookupClient(lookup);
    }

    /// <summary>"a", "a:port", "[v6]:port", comma-separated; a missing port is 53.</summary>
    public static IReadOnlyList<NameServer> ParseNameServers(string? list)
    {
        var servers = new List<NameServer>();
        foreach (var item in (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPEndPoint.TryParse(item, out var endPoint))
            {
                throw new FormatException($"Smtp:Mx:Authentication:NameServers: \"{item}\" is not an address or address:port");
            }

            servers.Add(new NameServer(endPoint.Address, endPoint.Port == 0 ? DnsPort : endPoint.Port));
        }

        return servers;
    }

    /// <summary>TXT records, each one string (its character-strings joined without spaces, RFC 7208 §3.3).</summary>
    public async Task<DnsAnswer<string>> TxtAsync(string name, CancellationToken cancellationToken)
    {
        var answer = await QueryAsync(name, QueryType.TXT, cancellationToken);
        return answer.Status != DnsLookupStatus.Found
            ? new DnsAnswer<string>(answer.Status, [])
            : new DnsAnswer<string>(DnsLookupStatus.Found, answer.Records.OfType<TxtRecord>().Select(r => string.Concat(r.Text)).ToArray());
    }

    /// <summary>The A (IPv4) or AAAA (IPv6) addresses of a name.</summary>
    public async Task<DnsAnswer<IPAddress>> AddressesAsync(string name, AddressFamily family, CancellationToken cancellationToken)
    {
        var answer = await QueryAsync(name, family == AddressFamily.InterNetworkV6 ? QueryType.AAAA : QueryType.A, cancellationToken);
        return answer.Status != DnsLookupStatus.Found
            ? new DnsAnswer<IPAddress>(answer.Status, [])
            : new DnsAnswer<IPAddress>(DnsLookupStatus.Found, answer.Records.OfType<AddressRecord>().Select(r => r.Address)
                .Where(a => a.AddressFamily == family).ToArray());
    }

    /// <summary>The exchange names of a domain's MX records, most preferred first.</summary>
    public async Task<DnsAnswer<string>> MailExchangesAsync(string name, CancellationToken cancellationToken)
    {
        var answer = await QueryAsync(name, QueryType.MX, cancellationToken);
        return answer.Status != DnsLookupStatus.Found
            ? new DnsAnswer<string>(answer.Status, [])
            : new DnsAnswer<string>(DnsLookupStatus.Found, answer.Records.OfType<MxRecord>().OrderBy(r => r.Preference)
                .Select(r => r.Exchange.Value.TrimEnd('.')).ToArray());
    }

    private async Task<DnsAnswer<DnsResourceRecord>> QueryAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, type, QueryClass.IN, cancellationToken);
        }
        catch (Exception e) when (e is DnsResponseException or SocketException or TimeoutException or ArgumentException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return DnsAnswer<DnsResourceRecord>.Failed;
        }

        return response.Header.ResponseCode switch
        {
            DnsHeaderResponseCode.NotExistentDomain => DnsAnswer<DnsResourceRecord>.NotFound,
            DnsHeaderResponseCode.NoError when response.Answers.Count == 0 => DnsAnswer<DnsResourceRecord>.NotFound,
            DnsHeaderResponseCode.NoError => new DnsAnswer<DnsResourceRecord>(DnsLookupStatus.Found, response.Answers),
            _ => DnsAnswer<DnsResourceRecord>.Failed,
        };
    }
}

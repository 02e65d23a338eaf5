// SPF's check_host() (RFC 7208 §4-§5) over DnsClient. ARSoft.Tools.Net has an SPF validator, but
// its resolver takes name-server addresses only (always port 53), so it cannot ask a resolver on
// a configured port such as 127.0.0.1:5353, and it would bring a second DNS client and cache next
// to the one DKIM and DMARC use. This evaluator shares AuthenticationDns (servers, time-outs,
// cache) with them.

using System.Net;
using System.Net.Sockets;

namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// check_host(): ip4, ip6, a, mx, include, exists, all, redirect, macros; at most 10 mechanisms
/// and modifiers that query DNS (§4.6.4) and 2 void look-ups, else permerror; a DNS failure is
/// temperror. "ptr" never matches (§5.5: it SHOULD NOT be used) but counts as a look-up; "exp"
/// is ignored (the explanation only serves a rejection, and SPF alone rejects nothing here).
/// </summary>
public sealed class SpfEvaluator(AuthenticationDns dns) : ISpfEvaluator
{
    private const int MaxLookups = 10;
    private const int MaxVoidLookups = 2;
    private const int MaxMxNames = 10;

    public async Task<AuthResult> CheckHostAsync(SpfRequest request, CancellationToken cancellationToken)
    {
        var address = request.ClientAddress.IsIPv4MappedToIPv6 ? request.ClientAddress.MapToIPv4() : request.ClientAddress;
        return await CheckAsync(request with { ClientAddress = address }, request.Domain, new Budget(), cancellationToken);
    }

    private async Task<AuthResult> CheckAsync(SpfRequest request, string domain, Budget budget, CancellationToken cancellationToken)
    {
        domain = domain.TrimEnd('.');
        if (!IsDomainName(domain))
        {
            return AuthResult.None;
        }

        var txt = await dns.TxtAsync(domain, cancellationToken);
        if (txt.Status == DnsLookupStatus.Failed)
        {
            return AuthResult.TempError;
        }

        var records = txt.Records.Where(IsSpfRecord).ToArray();
        if (records.Length == 0)
        {
            return AuthResult.None;
        }

        if (records.Length > 1)
        {
            return AuthResult.PermError;
        }

        var terms = records[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
        string? redirect = null;
        foreach (var term in terms)
        {
            var equals = term.IndexOf('=');
            var colon = term.IndexOfAny([':', '/']);
            if (equals > 0 && (colon < 0 || equals < colon))
            {
                // A modifier (§6); unknown ones are ignored, redirect/exp at most once each.
                var name = term[..equals].ToLowerInvariant();
                if (name == "redirect")
                {
                    if (redirect is not null)
                    {
                        return AuthResult.PermError;
                    }

                    redirect = term[(equals + 1)..];
                }

                continue;
            }

            var (matched, error) = await MatchAsync(request, domain, term, budget, cancellationToken);
            if (error is not null)
            {
                return error.Value;
            }

            if (matched)
            {
                return term[0] switch
                {
                    '-' => AuthResult.Fail,
                    '~' => AuthResult.SoftFail,
                    '?' => AuthResult.Neutral,
                    _ => AuthResult.Pass,
                };
            }
        }

        if (redirect is null)
        {
            return AuthResult.Neutral;
        }

        if (!budget.TakeLookup() || SpfMacro.Expand(redirect, request, domain) is not { } target)
        {
            return AuthResult.PermError;
        }

        var result = await CheckAsync(request, target, budget, cancellationToken);
        return result == AuthResult.None ? AuthResult.PermError : result;
    }

    /// <summary>Whether one directive matches; or the error that ends the evaluation.</summary>
    private async Task<(bool Matched, AuthResult? Error)> MatchAsync(
        SpfRequest request, string domain, string term, Budget budget, CancellationToken cancellationToken)
    {
        var directive = term[0] is '+' or '-' or '~' or '?' ? term[1..] : term;
        var split = directive.IndexOfAny([':', '/']);
        var name = (split < 0 ? directive : directive[..split]).ToLowerInvariant();
        var argument = split < 0 ? "" : directive[split..];
        var ip = request.ClientAddress;
        switch (name)
        {
            case "all":
                return argument.Length == 0 ? (true, null) : (false, AuthResult.PermError);

            case "ip4":
            case "ip6":
                return MatchNetwork(name, argument, ip);

            case "include":
            {
                if (!budget.TakeLookup() || TargetDomain(argument, request, domain, required: true) is not { } target)
                {
                    return (false, AuthResult.PermError);
                }

                var result = await CheckAsync(request, target, budget, cancellationToken);
                return result switch
                {
                    AuthResult.Pass => (true, null),
                    AuthResult.Fail or AuthResult.SoftFail or AuthResult.Neutral => (false, null),
                    AuthResult.TempError => (false, AuthResult.TempError),
                    _ => (false, AuthResult.PermError),
                };
            }

            case "a":
            case "mx":
            {
                if (!budget.TakeLookup() || !SplitCidr(argument, out var spec, out var v4, out var v6)
                    || TargetDomain(spec, request, domain, required: false) is not { } target)
                {
                    return (false, AuthResult.PermError);
                }

                var prefix = ip.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : v4;
                return name == "a"
                    ? await MatchAddressesAsync(target, ip, prefix, budget, cancellationToken)
                    : await MatchMailExchangesAsync(target, ip, prefix, budget, cancellationToken);
            }

            case "exists":
            {
                if (!budget.TakeLookup() || TargetDomain(argument, request, domain, required: true) is not { } target)
                {
                    return (false, AuthResult.PermError);
                }

                var answer = await dns.AddressesAsync(target, AddressFamily.InterNetwork, cancellationToken);
                return Void(answer, budget) ?? (answer.Records.Count > 0, null);
            }

            case "ptr":
                return budget.TakeLookup() ? (false, null) : (false, AuthResult.PermError);

            default:
                return (false, AuthResult.PermError);
        }
    }

    private static (bool, AuthResult?) MatchNetwork(string name, string argument, IPAddress ip)
    {
        if (!argument.StartsWith(':'))
        {
            return (false, AuthResult.PermError);
        }

        var text = argument[1..];
        var slash = text.IndexOf('/');
        var v6 = name == "ip6";
        var maxPrefix = v6 ? 128 : 32;
        var prefix = maxPrefix;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], out prefix) || prefix < 0 || prefix > maxPrefix || text[(slash + 1)..].StartsWith('0') && prefix != 0))
        {
            return (false, AuthResult.PermError);
        }

        if (!IPAddress.TryParse(slash >= 0 ? text[..slash] : text, out var network)
            || network.AddressFamily != (v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork))
        {
            return (false, AuthResult.PermError);
        }

        return (AddressPrefix.Contains(network, prefix, ip), null);
    }

    private async Task<(bool, AuthResult?)> MatchAddressesAsync(string target, IPAddress ip, int prefix, Budget budget, CancellationToken cancellationToken)
    {
        var answer = await dns.AddressesAsync(target, ip.AddressFamily, cancellationToken);
        return Void(answer, budget) ?? (answer.Records.Any(a => AddressPrefix.Contains(a, prefix, ip)), null);
    }

    private async Task<(bool, AuthResult?)> MatchMailExchangesAsync(string target, IPAddress ip, int prefix, Budget budget, CancellationToken cancellationToken)
    {
        var exchanges = await dns.MailExchangesAsync(target, cancellationToken);
        if (Void(exchanges, budget) is { } failure)
        {
            return failure;
        }

        if (exchanges.Records.Count > MaxMxNames)
        {
            return (false, AuthResult.PermError);
        }

        foreach (var exchange in exchanges.Records)
        {
            var answer = await dns.AddressesAsync(exchange, ip.AddressFamily, cancellationToken);
            if (answer.Status == DnsLookupStatus.Failed)
            {
                return (false, AuthResult.TempError);
            }

            if (answer.Records.Any(a => AddressPrefix.Contains(a, prefix, ip)))
            {
                return (true, null);
            }
        }

        return (false, null);
    }

    // A failed query is temperror; an empty answer is a void look-up, of which only two are allowed (§4.6.4).
    private static (bool, AuthResult?)? Void<T>(DnsAnswer<T> answer, Budget budget)
    {
        if (answer.Status == DnsLookupStatus.Failed)
        {
            return (false, AuthResult.TempError);
        }

        if (answer.Records.Count == 0 && !budget.TakeVoidLookup())
        {
            return (false, AuthResult.PermError);
        }

        return null;
    }

    /// <summary>":domain-spec" expanded, or the current domain when absent and optional; null when malformed.</summary>
    private static string? TargetDomain(string argument, SpfRequest request, string domain, bool required)
    {
        if (argument.Length == 0)
        {
            return required ? null : domain;
        }

        if (!argument.StartsWith(':') || argument.Length == 1)
        {
            return null;
        }

        var expanded = SpfMacro.Expand(argument[1..], request, domain)?.TrimEnd('.');
        if (expanded is null)
        {
            return null;
        }

        // §7.3: longer than 253 characters, labels are dropped from the left.
        while (expanded.Length > 253 && expanded.IndexOf('.') is var dot and >= 0)
        {
            expanded = expanded[(dot + 1)..];
        }

        return expanded;
    }

    /// <summary>Splits "[:domain][/v4][//v6]" into the domain part and the two prefix lengths.</summary>
    private static bool SplitCidr(string argument, out string spec, out int v4, out int v6)
    {
        v4 = 32;
        v6 = 128;
        spec = argument;
        var dual = argument.IndexOf("//", StringComparison.Ordinal);
        if (dual >= 0)
        {
            if (!int.TryParse(argument[(dual + 2)..], out v6) || v6 is < 0 or > 128)
            {
                return false;
            }

            argument = argument[..dual];
        }

        var slash = argument.LastIndexOf('/');
        if (slash >= 0)
        {
            if (!int.TryParse(argument[(slash + 1)..], out v4) || v4 is < 0 or > 32)
            {
                return false;
            }

            argument = argument[..slash];
        }

        spec = argument;
        return true;
    }

    private static bool IsSpfRecord(string text) =>
        text.Equals("v=spf1", StringComparison.OrdinalIgnoreCase) || text.StartsWith("v=spf1 ", StringComparison.OrdinalIgnoreCase);

    /// <summary>A multi-label name whose labels are 1-63 characters (§4.3); else the result is none.</summary>
    private static bool IsDomainName(string domain) =>
        domain.Length is > 0 and <= 253 && domain.Contains('.')
        && domain.Split('.').All(label => label.Length is > 0 and <= 63);

    /// <summary>The look-up limits shared by one check_host() and everything it includes or redirects to.</summary>
    private sealed class Budget
    {
        private int _lookups;
        private int _voids;

        public bool TakeLookup() => ++_lookups <= MaxLookups;

        public bool TakeVoidLookup() => ++_voids <= MaxVoidLookups;
    }
}

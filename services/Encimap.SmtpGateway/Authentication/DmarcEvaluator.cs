namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// DMARC policy discovery and alignment (RFC 7489 §3.1, §6.6.3). Simplification: the
/// organizational domain is the last two labels of a name (mail.example.com → example.com)
/// instead of the one the Public Suffix List gives, so under multi-label public suffixes
/// (example.co.uk) the fallback and relaxed alignment reach one label too far up. The policy
/// record is looked up at _dmarc.&lt;From domain&gt;, then at _dmarc.&lt;organizational domain&gt;
/// (whose sp= then applies). A DNS failure is temperror and no policy applies; when neither
/// SPF nor DKIM passed aligned and one of them had a temporary error, the result is temperror too,
/// so that a DNS failure never refuses mail. pct= is honoured by sampling (§6.6.4).
/// </summary>
public sealed class DmarcEvaluator(AuthenticationDns dns) : IDmarcEvaluator
{
    public async Task<DmarcOutcome> EvaluateAsync(DmarcRequest request, CancellationToken cancellationToken)
    {
        var from = request.FromDomain.TrimEnd('.').ToLowerInvariant();
        if (from.Length == 0)
        {
            return DmarcOutcome.NoRecord;
        }

        var organizational = OrganizationalDomain(from);
        var (status, record) = await LookupAsync(from, cancellationToken);
        var atOrganizational = false;
        if (status == DnsLookupStatus.NotFound && organizational != from)
        {
            (status, record) = await LookupAsync(organizational, cancellationToken);
            atOrganizational = true;
        }

        if (status == DnsLookupStatus.Failed)
        {
            return DmarcOutcome.TemporaryError;
        }

        if (record is null)
        {
            return DmarcOutcome.NoRecord;
        }

        var dkimAligned = request.Dkim.Any(d => d.Result == AuthResult.Pass && Aligned(d.Domain, from, record.StrictDkim));
        var spfAligned = request.Spf == AuthResult.Pass && Aligned(request.SpfDomain, from, record.StrictSpf);
        if (dkimAligned || spfAligned)
        {
            return new DmarcOutcome(AuthResult.Pass, DmarcPolicy.None, record.Policy);
        }

        if (request.Spf == AuthResult.TempError || request.Dkim.Any(d => d.Result == AuthResult.TempError))
        {
            return DmarcOutcome.TemporaryError with { Published = record.Policy };
        }

        var policy = atOrganizational && record.SubdomainPolicy is { } sp ? sp : record.Policy;
        if (record.Percent < 100 && Random.Shared.Next(100) >= record.Percent)
        {
            // Not sampled: one step milder (§6.6.4).
            policy = policy == DmarcPolicy.Reject ? DmarcPolicy.Quarantine : DmarcPolicy.None;
        }

        return new DmarcOutcome(AuthResult.Fail, policy, record.Policy);
    }

    /// <summary>The last two labels of a name (the simplification described above).</summary>
    public static string OrganizationalDomain(string domain)
    {
        var labels = domain.TrimEnd('.').ToLowerInvariant().Split('.');
        return labels.Length <= 2 ? string.Join('.', labels) : string.Join('.', labels[^2..]);
    }

    /// <summary>Strict: the same name; relaxed: the same organizational domain (§3.1.1, §3.1.2).</summary>
    public static bool Aligned(string domain, string from, bool strict)
    {
        var d = domain.TrimEnd('.').ToLowerInvariant();
        if (d.Length == 0)
        {
            return false;
        }

        return strict ? d == from : OrganizationalDomain(d) == OrganizationalDomain(from);
    }

    private async Task<(DnsLookupStatus, DmarcRecord?)> LookupAsync(string domain, CancellationToken cancellationToken)
    {
        var answer = await dns.TxtAsync($"_dmarc.{domain}", cancellationToken);
        if (answer.Status != DnsLookupStatus.Found)
        {
            return (answer.Status, null);
        }

        // Records that do not start with v=DMARC1 are ignored; more than one valid record is none (§6.6.3).
        var records = answer.Records.Select(DmarcRecord.Parse).OfType<DmarcRecord>().ToArray();
        return records.Length == 1 ? (DnsLookupStatus.Found, records[0]) : (DnsLookupStatus.NotFound, null);
    }
}

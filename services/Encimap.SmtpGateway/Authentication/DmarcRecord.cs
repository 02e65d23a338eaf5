namespace Encimap.SmtpGateway.Authentication;

/// <summary>A parsed DMARC policy record (RFC 7489 §6.3): p, sp, adkim, aspf, pct.</summary>
public sealed record DmarcRecord(DmarcPolicy Policy, DmarcPolicy? SubdomainPolicy, bool StrictDkim, bool StrictSpf, int Percent)
{
    /// <summary>The record, or null when the text is not a valid DMARC record (then no policy applies).</summary>
    public static DmarcRecord? Parse(string text)
    {
        var tags = text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(tag => tag.Split('=', 2, StringSplitOptions.TrimEntries))
            .ToArray();
        if (tags.Length == 0 || tags[0] is not ["v", "DMARC1"])
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var tag in tags.Skip(1).Where(t => t.Length == 2))
        {
            values.TryAdd(tag[0], tag[1]);
        }

        if (!values.TryGetValue("p", out var p) || ParsePolicy(p) is not { } policy)
        {
            return null;
        }

        var percent = values.TryGetValue("pct", out var pct) && int.TryParse(pct, out var n) ? Math.Clamp(n, 0, 100) : 100;
        return new DmarcRecord(
            policy,
            values.TryGetValue("sp", out var sp) ? ParsePolicy(sp) : null,
            values.TryGetValue("adkim", out var adkim) && adkim.Equals("s", StringComparison.OrdinalIgnoreCase),
            values.TryGetValue("aspf", out var aspf) && aspf.Equals("s", StringComparison.OrdinalIgnoreCase),
            percent);
    }

    private static DmarcPolicy? ParsePolicy(string value) => value.ToLowerInvariant() switch
    {
        "none" => DmarcPolicy.None,
        "quarantine" => DmarcPolicy.Quarantine,
        "reject" => DmarcPolicy.Reject,
        _ => null,
    };
}

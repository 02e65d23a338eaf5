namespace Encimap.SmtpGateway.Tests;

/// <summary>
/// The sender domains the fleet's DNS server (<see cref="LoopbackDnsServer"/>) knows, with their
/// SPF, DKIM and DMARC records. Every other .test name is NXDOMAIN: spf=none, dmarc=none.
/// </summary>
public static class TestDomains
{
    /// <summary>Signs with <see cref="DkimSelector"/>; DMARC p=none, so that a broken signature is still delivered (and marked).</summary>
    public const string Signed = "signed.test";

    public const string DkimSelector = "sel2026";

    /// <summary>SPF allows 127.0.0.1 (where the tests send from).</summary>
    public const string SpfPass = "spf-pass.test";

    /// <summary>SPF allows nobody.</summary>
    public const string SpfFail = "spf-fail.test";

    /// <summary>DMARC p=reject, SPF allows nobody.</summary>
    public const string Reject = "reject.test";

    /// <summary>DMARC p=quarantine, SPF allows nobody.</summary>
    public const string Quarantine = "quarantine.test";

    /// <summary>DMARC p=reject, SPF allows nobody; only ever asked while the DNS server is stopped.</summary>
    public const string WhileDnsIsDown = "dns-down.test";

    public static IReadOnlyList<(string Name, string Text)> Records(DkimKey key) =>
    [
        ($"{DkimSelector}._domainkey.{Signed}", key.KeyRecord),
        ($"_dmarc.{Signed}", "v=DMARC1; p=none"),
        (SpfPass, "v=spf1 ip4:127.0.0.1 -all"),
        (SpfFail, "v=spf1 -all"),
        (Reject, "v=spf1 -all"),
        ($"_dmarc.{Reject}", "v=DMARC1; p=reject"),
        (Quarantine, "v=spf1 -all"),
        ($"_dmarc.{Quarantine}", "v=DMARC1; p=quarantine"),
        (WhileDnsIsDown, "v=spf1 -all"),
        ($"_dmarc.{WhileDnsIsDown}", "v=DMARC1; p=reject"),
    ];
}

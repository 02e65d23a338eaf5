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

    /// <summary>Domains whose SPF records exercise the mechanisms, with the result each gives 127.0.0.1.</summary>
    public static readonly IReadOnlyList<(string Domain, string Record, string Result)> SpfMechanisms =
    [
        ("spf-include.test", $"v=spf1 include:{SpfPass} -all", "pass"),
        ("spf-redirect.test", $"v=spf1 redirect={SpfPass}", "pass"),
        ("spf-a.test", "v=spf1 a -all", "pass"),
        ("spf-mx.test", "v=spf1 mx -all", "pass"),
        ("spf-macro.test", "v=spf1 exists:%{i}._spf.%{d} -all", "pass"),
        ("spf-cidr.test", "v=spf1 ip4:127.0.0.0/8 -all", "pass"),
        ("spf-ip6-only.test", "v=spf1 ip6:2001:db8::/32 -all", "fail"),
        ("spf-softfail.test", "v=spf1 ip4:192.0.2.0/24 ~all", "softfail"),
        ("spf-neutral.test", "v=spf1 ?all", "neutral"),
        ("spf-no-all.test", "v=spf1 ip4:192.0.2.1", "neutral"),
        ("spf-loop.test", "v=spf1 include:spf-loop.test -all", "permerror"),
        ("spf-bad-mechanism.test", "v=spf1 frobnicate -all", "permerror"),
        ("spf-include-none.test", "v=spf1 include:nothing-here.test -all", "permerror"),
    ];

    public static DnsRecords Records(DkimKey key) => new(
        [.. Texts(key), .. SpfMechanisms.Select(m => (m.Domain, m.Record))],
        [("spf-a.test", "127.0.0.1"), ("mail.spf-mx.test", "127.0.0.1"), ("127.0.0.1._spf.spf-macro.test", "127.0.0.2")],
        [("spf-mx.test", "mail.spf-mx.test")]);

    private static IReadOnlyList<(string Name, string Text)> Texts(DkimKey key) =>
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

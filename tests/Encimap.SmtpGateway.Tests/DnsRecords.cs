namespace Encimap.SmtpGateway.Tests;

/// <summary>What a <see cref="LoopbackDnsServer"/> serves: TXT records, A records, and MX records (preference 10).</summary>
public sealed record DnsRecords(
    IReadOnlyList<(string Name, string Text)> Texts,
    IReadOnlyList<(string Name, string Address)> Hosts,
    IReadOnlyList<(string Domain, string Exchange)> MailExchanges);

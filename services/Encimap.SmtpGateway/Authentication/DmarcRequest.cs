namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// What DMARC evaluates (RFC 7489 §4.2): the RFC5322.From domain, the SPF result and the domain it
/// was for (MAIL FROM, or HELO for the null reverse-path), and the DKIM results.
/// </summary>
public sealed record DmarcRequest(string FromDomain, AuthResult Spf, string SpfDomain, IReadOnlyList<DkimSignatureResult> Dkim);

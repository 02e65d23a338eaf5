namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// Every check's result for one message: SPF for <see cref="SpfIdentity"/> (the MAIL FROM
/// address, or the HELO name when <see cref="SpfUsedHelo"/>), each DKIM signature, and DMARC for
/// the From domain.
/// </summary>
public sealed record AuthenticationReport(
    AuthResult Spf,
    string SpfIdentity,
    bool SpfUsedHelo,
    IReadOnlyList<DkimSignatureResult> Dkim,
    DmarcOutcome Dmarc,
    string FromDomain);

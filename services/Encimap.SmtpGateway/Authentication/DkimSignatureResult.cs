namespace Encimap.SmtpGateway.Authentication;

/// <summary>The result of one DKIM-Signature field, with its signing domain (d=) and selector (s=).</summary>
public sealed record DkimSignatureResult(AuthResult Result, string Domain, string Selector);

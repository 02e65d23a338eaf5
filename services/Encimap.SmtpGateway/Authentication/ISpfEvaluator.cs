namespace Encimap.SmtpGateway.Authentication;

/// <summary>SPF's check_host() (RFC 7208 §4): whether the client may send mail for the domain.</summary>
public interface ISpfEvaluator
{
    /// <summary>none, neutral, pass, fail, softfail, temperror or permerror.</summary>
    Task<AuthResult> CheckHostAsync(SpfRequest request, CancellationToken cancellationToken);
}

namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// The result values of the registry RFC 8601 §2.7 keeps for spf, dkim and dmarc (each check
/// uses the ones its RFC defines); <see cref="AuthResultNames"/> spells them.
/// </summary>
public enum AuthResult
{
    None,
    Pass,
    Fail,
    SoftFail,
    Neutral,
    TempError,
    PermError,
}

namespace Encimap.SmtpGateway.Authentication;

/// <summary>The lower-case names of <see cref="AuthResult"/> in Authentication-Results fields and metric tags.</summary>
public static class AuthResultNames
{
    public static string Name(this AuthResult result) => result switch
    {
        AuthResult.None => "none",
        AuthResult.Pass => "pass",
        AuthResult.Fail => "fail",
        AuthResult.SoftFail => "softfail",
        AuthResult.Neutral => "neutral",
        AuthResult.TempError => "temperror",
        AuthResult.PermError => "permerror",
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, null),
    };
}

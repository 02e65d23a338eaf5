namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// The DMARC result (none, pass, fail, temperror) and, on fail, the policy the domain asks for
/// (<see cref="DmarcPolicy.None"/> otherwise); <see cref="Published"/> is the record's p= for the
/// Authentication-Results comment.
/// </summary>
public sealed record DmarcOutcome(AuthResult Result, DmarcPolicy Policy, DmarcPolicy? Published)
{
    public static DmarcOutcome NoRecord { get; } = new(AuthResult.None, DmarcPolicy.None, null);

    public static DmarcOutcome TemporaryError { get; } = new(AuthResult.TempError, DmarcPolicy.None, null);
}

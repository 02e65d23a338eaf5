using System.Net;

namespace Encimap.Smtp;

public sealed record SmtpAuthResult(SmtpAuthOutcome Outcome, SmtpPrincipal? Principal = null)
{
    public static SmtpAuthResult Success(SmtpPrincipal principal) => new(SmtpAuthOutcome.Succeeded, principal);

    public static SmtpAuthResult Failure { get; } = new(SmtpAuthOutcome.Failed);

    public static SmtpAuthResult Temporary { get; } = new(SmtpAuthOutcome.TemporaryFailure);

    public static SmtpAuthResult Locked { get; } = new(SmtpAuthOutcome.LockedOut);
}

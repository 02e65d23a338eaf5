namespace Encimap.SmtpGateway.Infrastructure;

public sealed class SubmissionOptions : ListenerOptions
{
    /// <summary>How long a failed login waits before its answer.</summary>
    public TimeSpan LoginFailureDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Failed logins from one IP address within <see cref="LoginFailureWindow"/> before it is locked out.</summary>
    public int MaxLoginFailures { get; set; } = 10;

    public TimeSpan LoginFailureWindow { get; set; } = TimeSpan.FromMinutes(15);
}

namespace Encimap.SmtpGateway.Infrastructure;

public sealed class MxOptions : ListenerOptions
{
    /// <summary>Deadline of each intake call (recipient lookup and delivery).</summary>
    public TimeSpan IntakeTimeout { get; set; } = TimeSpan.FromMinutes(1);
}

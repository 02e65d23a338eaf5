namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>The <c>Smtp</c> configuration section (defaults in appsettings.json and here).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Smtp";

    /// <summary>The server's name in greetings, Received: lines and bounces.</summary>
    public string HostName { get; set; } = "localhost";

    public long MaxMessageSize { get; set; } = 36_700_160;

    /// <summary>
    /// Where a message larger than 1 MiB waits, in clear, while it is received, checked and handed
    /// to the intake or the queue (mode 0600, unlinked at once); empty: the system's temporary
    /// directory. Production puts it on tmpfs or an encrypted disk, like <c>Intake:SpoolDirectory</c>.
    /// </summary>
    public string SpoolDirectory { get; set; } = "";

    public int MaxRecipients { get; set; } = 100;

    public int MaxErrors { get; set; } = 10;

    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(3);

    public MxOptions Mx { get; set; } = new();

    public SubmissionOptions Submission { get; set; } = new();

    public RelayOptions Relay { get; set; } = new();
}

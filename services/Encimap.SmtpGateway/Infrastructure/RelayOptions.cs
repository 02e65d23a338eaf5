namespace Encimap.SmtpGateway.Infrastructure;

public sealed class RelayOptions
{
    /// <summary>The smarthost; empty: queued mail waits until one is configured.</summary>
    public string Host { get; set; } = "";

    public int Port { get; set; } = 25;

    /// <summary>Use STARTTLS when the smarthost offers it.</summary>
    public bool StartTls { get; set; } = true;

    /// <summary>Refuse to relay without TLS.</summary>
    public bool RequireTls { get; set; }

    /// <summary>Accept any smarthost certificate (development and tests only).</summary>
    public bool TrustServerCertificate { get; set; }

    /// <summary>AUTH PLAIN user name at the smarthost; empty: no AUTH.</summary>
    public string UserName { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>DKIM-sign a vaultbox's mail with its domain's key (made by the certificate service) before relaying it.</summary>
    public bool DkimSign { get; set; } = true;

    /// <summary>How long a message may wait in the queue before it bounces.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(5);

    /// <summary>First retry delay; doubles with every attempt up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the worker looks for due messages when nothing wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a claimed message stays 'sending' before another instance may take it over.</summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromMinutes(10);

    public int BatchSize { get; set; } = 10;

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

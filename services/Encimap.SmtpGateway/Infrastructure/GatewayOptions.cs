namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>The <c>Smtp</c> configuration section (defaults in appsettings.json and here).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Smtp";

    /// <summary>The server's name in greetings, Received: lines and bounces.</summary>
    public string HostName { get; set; } = "localhost";

    public long MaxMessageSize { get; set; } = 36_700_160;

    public int MaxRecipients { get; set; } = 100;

    public int MaxErrors { get; set; } = 10;

    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(3);

    public MxOptions Mx { get; set; } = new();

    public SubmissionOptions Submission { get; set; } = new();

    public RelayOptions Relay { get; set; } = new();
}

/// <summary>Limits every listener has.</summary>
public abstract class ListenerOptions
{
    /// <summary>"address:port"; empty: the listener is off.</summary>
    public string Endpoint { get; set; } = "";

    public int MaxConnections { get; set; } = 1000;

    public int MaxConnectionsPerIp { get; set; } = 50;

    public int MaxConnectionRatePerIp { get; set; } = 600;
}

public sealed class MxOptions : ListenerOptions
{
    /// <summary>Deadline of each intake call (recipient lookup and delivery).</summary>
    public TimeSpan IntakeTimeout { get; set; } = TimeSpan.FromMinutes(1);
}

public sealed class SubmissionOptions : ListenerOptions
{
    /// <summary>How long a failed login waits before its answer.</summary>
    public TimeSpan LoginFailureDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Failed logins from one IP address within <see cref="LoginFailureWindow"/> before it is locked out.</summary>
    public int MaxLoginFailures { get; set; } = 10;

    public TimeSpan LoginFailureWindow { get; set; } = TimeSpan.FromMinutes(15);
}

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

/// <summary>The <c>Tls</c> section: the server certificate for STARTTLS, as PEM files.</summary>
public sealed class TlsOptions
{
    public const string Section = "Tls";

    public string CertificatePemFile { get; set; } = "";

    public string KeyPemFile { get; set; } = "";
}

using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Encimap.Smtp;

/// <summary>Settings of one SMTP listener. Defaults follow Postfix's where it has one.</summary>
public sealed class SmtpServerOptions
{
    /// <summary>Name of the listener in metrics, traces and logs ("mx", "submission").</summary>
    public string Name { get; set; } = "smtp";

    /// <summary>The server's name in the greeting and EHLO reply.</summary>
    public string HostName { get; set; } = "localhost";

    public IPEndPoint EndPoint { get; set; } = new(IPAddress.Loopback, 2525);

    /// <summary>Largest message accepted, in octets (SIZE; 552 5.3.4 beyond).</summary>
    public long MaxMessageSize { get; set; } = 36_700_160;

    /// <summary>
    /// Where a message larger than <see cref="MessageSpool.DefaultMemoryLimit"/> is spooled while
    /// it is received and handed on (a 0600 file, unlinked at once); null: the system's temporary directory.
    /// </summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>Recipients per transaction (452 4.5.3 beyond).</summary>
    public int MaxRecipients { get; set; } = 100;

    /// <summary>Longest command line, CRLF included (500 5.5.2 beyond).</summary>
    public int MaxCommandLineLength { get; set; } = 2048;

    /// <summary>Refused commands per session before 421 4.7.0 and disconnect.</summary>
    public int MaxErrors { get; set; } = 10;

    /// <summary>How long the server waits for a command (RFC 5321 §4.5.3.2.7: at least 5 minutes).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the server waits for each block of message data (RFC 5321 §4.5.3.2.5: 3 minutes).</summary>
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(3);

    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The server certificate (with its private key). Null: STARTTLS is not offered.</summary>
    public X509Certificate2? TlsCertificate { get; set; }

    /// <summary>Offer AUTH PLAIN and LOGIN (needs <see cref="SmtpBackends.Authenticator"/>).</summary>
    public bool EnableAuth { get; set; }

    /// <summary>Offer and accept AUTH only inside TLS (530 5.7.0 otherwise).</summary>
    public bool AuthRequiresTls { get; set; } = true;

    /// <summary>MAIL is refused (530 5.7.0) until the client has started TLS.</summary>
    public bool RequireTls { get; set; }

    /// <summary>MAIL is refused (530 5.7.0) until the client has authenticated.</summary>
    public bool RequireAuth { get; set; }

    /// <summary>Concurrent sessions on this listener (421 4.7.0 beyond).</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>Concurrent sessions from one IP address (421 4.7.0 beyond); 0: unlimited.</summary>
    public int MaxConnectionsPerIp { get; set; } = 50;

    /// <summary>New connections from one IP address per minute (421 4.7.0 beyond); 0: unlimited.</summary>
    public int MaxConnectionRatePerIp { get; set; } = 600;
}

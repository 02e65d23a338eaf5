namespace Encimap.Imap.Protocol;

/// <summary>The connection under a session: the stream and, on a cleartext port, STARTTLS.</summary>
public interface IImapTransport
{
    Stream Stream { get; }

    bool IsSecure { get; }

    bool CanStartTls { get; }

    string RemoteAddress { get; }

    /// <summary>Runs the TLS handshake on the connection; <see cref="Stream"/> is the TLS stream afterwards.</summary>
    Task StartTlsAsync(CancellationToken cancellationToken);
}

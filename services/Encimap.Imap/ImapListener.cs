using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Encimap.Imap.Protocol;
using Microsoft.Extensions.Options;

namespace Encimap.Imap;

/// <summary>Accepts IMAP connections on the cleartext (STARTTLS) and implicit-TLS endpoints.</summary>
public sealed class ImapListener(
    IImapBackend backend,
    IOptions<ImapOptions> options,
    IOptions<TlsOptions> tls,
    ILogger<ImapListener> logger) : BackgroundService
{
    private X509Certificate2? _certificate;
    private int _connections;

    /// <summary>Open connections (health and metrics).</summary>
    public int Connections => Volatile.Read(ref _connections);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _certificate = LoadCertificate();
        var listeners = new List<Task>();
        if (!string.IsNullOrWhiteSpace(options.Value.Endpoint))
        {
            listeners.Add(AcceptAsync(ParseEndpoint(options.Value.Endpoint), implicitTls: false, stoppingToken));
        }

        if (!string.IsNullOrWhiteSpace(options.Value.TlsEndpoint))
        {
            if (_certificate is null)
            {
                throw new InvalidOperationException("Imap:TlsEndpoint needs Tls:CertificatePemFile and Tls:KeyPemFile");
            }

            listeners.Add(AcceptAsync(ParseEndpoint(options.Value.TlsEndpoint), implicitTls: true, stoppingToken));
        }

        await Task.WhenAll(listeners);
    }

    private X509Certificate2? LoadCertificate()
    {
        if (tls.Value.CertificatePemFile is not { Length: > 0 } certificate || tls.Value.KeyPemFile is not { Length: > 0 } key)
        {
            logger.LogWarning("No TLS certificate configured: STARTTLS is not offered");
            return null;
        }

        using var pem = X509Certificate2.CreateFromPemFile(certificate, key);
        // An ephemeral PEM key cannot serve TLS everywhere: give it a PKCS#12 round trip.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public static IPEndPoint ParseEndpoint(string value)
    {
        var text = value.Contains("://", StringComparison.Ordinal) ? new Uri(value).Authority : value;
        if (IPEndPoint.TryParse(text, out var endpoint))
        {
            return endpoint;
        }

        var colon = text.LastIndexOf(':');
        var host = text[..colon];
        var port = int.Parse(text[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return new IPEndPoint(host is "localhost" ? IPAddress.Loopback : host is "*" or "+" ? IPAddress.Any : IPAddress.Parse(host), port);
    }

    private async Task AcceptAsync(IPEndPoint endpoint, bool implicitTls, CancellationToken stoppingToken)
    {
        using var listener = new TcpListener(endpoint);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start(512);
        logger.LogInformation("IMAP listening on {Endpoint} ({Mode})", endpoint, implicitTls ? "TLS" : "STARTTLS");
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(socket, implicitTls, stoppingToken), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket socket, bool implicitTls, CancellationToken stoppingToken)
    {
        Interlocked.Increment(ref _connections);
        var remote = (socket.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "unknown";
        socket.NoDelay = true;
        var transport = new SocketTransport(new NetworkStream(socket, ownsSocket: true), _certificate, remote);
        try
        {
            if (implicitTls)
            {
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                handshake.CancelAfter(TimeSpan.FromSeconds(30));
                await transport.StartTlsAsync(handshake.Token);
            }

            await using var session = backend.OpenSession(new ImapConnectionInfo(remote, transport.IsSecure));
            var limits = new ImapLimits
            {
                MaxLiteralSize = options.Value.MaxMessageSize,
                MaxCommandSize = Math.Max(options.Value.MaxCommandSize, options.Value.MaxMessageSize),
                MaxLineLength = options.Value.MaxLineLength,
                MaxUnauthenticatedCommands = options.Value.MaxUnauthenticatedCommands,
                IdleTimeout = options.Value.IdleTimeout,
                UnauthenticatedTimeout = options.Value.UnauthenticatedTimeout,
            };
            var server = new ImapServerSession(transport, session, new ImapServerOptions
            {
                Limits = limits,
                AllowCleartextAuthentication = options.Value.AllowCleartextAuthentication,
                OnError = (command, error) => logger.LogError(error, "IMAP {Command} failed for {Remote}", command.Name, remote),
            });
            await server.RunAsync(stoppingToken);
        }
        catch (Exception e) when (e is IOException or AuthenticationException or OperationCanceledException or SocketException)
        {
            logger.LogDebug(e, "Connection from {Remote} ended", remote);
        }
        catch (Exception e)
        {
            logger.LogError(e, "IMAP session from {Remote} failed", remote);
        }
        finally
        {
            await transport.DisposeAsync();
            Interlocked.Decrement(ref _connections);
        }
    }

    private sealed class SocketTransport(Stream stream, X509Certificate2? certificate, string remote) : IImapTransport, IAsyncDisposable
    {
        public Stream Stream { get; private set; } = stream;

        public bool IsSecure { get; private set; }

        public bool CanStartTls => certificate is not null;

        public string RemoteAddress => remote;

        public async Task StartTlsAsync(CancellationToken cancellationToken)
        {
            var ssl = new SslStream(Stream, leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateRequired = false,
            }, cancellationToken);
            Stream = ssl;
            IsSecure = true;
        }

        public async ValueTask DisposeAsync() => await Stream.DisposeAsync();
    }
}

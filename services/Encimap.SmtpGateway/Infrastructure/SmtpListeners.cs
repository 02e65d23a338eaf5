using System.Net;
using System.Security.Cryptography.X509Certificates;
using Encimap.Smtp;
using Encimap.SmtpGateway.Mx;
using Encimap.SmtpGateway.Submission;
using Microsoft.Extensions.Options;

namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>
/// Starts the MX listener (<c>Smtp:Mx:Endpoint</c>: intake recipients, intake delivery) and the
/// submission listener (<c>Smtp:Submission:Endpoint</c>: STARTTLS, then AUTH, sender rules,
/// durable queue) with the TLS certificate of <c>Tls:CertificatePemFile</c>/<c>KeyPemFile</c>.
/// </summary>
public sealed class SmtpListeners(
    IOptions<GatewayOptions> options,
    IOptions<TlsOptions> tls,
    IntakeRecipientPolicy mxRecipients,
    IntakeMessageSink mxSink,
    SubmissionAuthenticator authenticator,
    SubmissionSenderPolicy senderPolicy,
    OutboundQueueSink queueSink,
    ILoggerFactory loggers) : IHostedService
{
    private readonly List<SmtpServer> _servers = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var gateway = options.Value;
        var certificate = LoadCertificate(tls.Value);
        if (gateway.Mx.Endpoint.Length > 0)
        {
            var mx = Configure("mx", gateway, gateway.Mx, certificate);
            Start(mx, new SmtpBackends(mxSink) { RecipientPolicy = mxRecipients });
        }

        if (gateway.Submission.Endpoint.Length > 0)
        {
            var submission = Configure("submission", gateway, gateway.Submission, certificate);
            submission.EnableAuth = true;
            submission.AuthRequiresTls = true;
            submission.RequireAuth = true;
            submission.RequireTls = certificate is not null;
            Start(submission, new SmtpBackends(queueSink) { Authenticator = authenticator, SenderPolicy = senderPolicy });
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_servers.Select(server => server.StopAsync(TimeSpan.FromSeconds(10))));
    }

    private void Start(SmtpServerOptions serverOptions, SmtpBackends backends)
    {
        var server = new SmtpServer(serverOptions, backends, loggers.CreateLogger($"Encimap.Smtp.{serverOptions.Name}"));
        server.Start();
        _servers.Add(server);
    }

    private static SmtpServerOptions Configure(string name, GatewayOptions gateway, ListenerOptions listener, X509Certificate2? certificate) => new()
    {
        Name = name,
        HostName = gateway.HostName,
        EndPoint = IPEndPoint.Parse(listener.Endpoint),
        MaxMessageSize = gateway.MaxMessageSize,
        SpoolDirectory = gateway.SpoolDirectory is { Length: > 0 } spool ? spool : null,
        MaxRecipients = gateway.MaxRecipients,
        MaxErrors = gateway.MaxErrors,
        CommandTimeout = gateway.CommandTimeout,
        DataTimeout = gateway.DataTimeout,
        TlsCertificate = certificate,
        MaxConnections = listener.MaxConnections,
        MaxConnectionsPerIp = listener.MaxConnectionsPerIp,
        MaxConnectionRatePerIp = listener.MaxConnectionRatePerIp,
    };

    private static X509Certificate2? LoadCertificate(TlsOptions tls)
    {
        if (string.IsNullOrWhiteSpace(tls.CertificatePemFile) || string.IsNullOrWhiteSpace(tls.KeyPemFile))
        {
            return null;
        }

        // Through PKCS#12 so that the key is not ephemeral (what SslStream wants on every platform).
        using var pem = X509Certificate2.CreateFromPemFile(tls.CertificatePemFile, tls.KeyPemFile);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}

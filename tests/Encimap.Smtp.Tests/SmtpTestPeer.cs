using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Encimap.Smtp;

namespace Encimap.Smtp.Tests;

/// <summary>A raw socket client driven line by line, as a test script would with netcat.</summary>
public sealed class SmtpTestPeer : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly List<byte> _pending = [];

    private SmtpTestPeer(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<SmtpTestPeer> ConnectAsync(IPEndPoint endPoint)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(endPoint);
        return new SmtpTestPeer(tcp);
    }

    public Task SendAsync(string raw) => SendAsync(Encoding.UTF8.GetBytes(raw));

    public async Task SendAsync(byte[] raw)
    {
        await _stream.WriteAsync(raw);
        await _stream.FlushAsync();
    }

    /// <summary>Reads one (multi-line) reply and returns its lines ("250-…", "250 …").</summary>
    public async Task<IReadOnlyList<string>> ReadReplyAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(cancel.Token) ?? throw new EndOfStreamException($"connection closed after {string.Join(" | ", lines)}");
            lines.Add(line);
            if (line.Length < 4 || line[3] == ' ')
            {
                return lines;
            }
        }
    }

    /// <summary>Reads a reply and asserts its code (and enhanced code when given); returns the last line.</summary>
    public async Task<string> ExpectAsync(int code, string? enhanced = null)
    {
        var lines = await ReadReplyAsync();
        var last = lines[^1];
        Assert.True(last.StartsWith($"{code} ", StringComparison.Ordinal), $"expected {code}, got: {string.Join(" | ", lines)}");
        if (enhanced is not null)
        {
            Assert.True(last.StartsWith($"{code} {enhanced} ", StringComparison.Ordinal), $"expected {code} {enhanced}, got: {last}");
        }

        return last;
    }

    public async Task<string> CommandAsync(string line, int code, string? enhanced = null)
    {
        await SendAsync(line + "\r\n");
        return await ExpectAsync(code, enhanced);
    }

    /// <summary>True when the server closed the connection (reads end of stream within the timeout).</summary>
    public async Task<bool> IsClosedAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (await ReadLineAsync(cancel.Token) is not null)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async Task StartTlsAsync()
    {
        await CommandAsync("STARTTLS", 220, "2.0.0");
        await StartTlsAsyncAfterReply();
    }

    /// <summary>The TLS handshake, once the 220 to STARTTLS was read.</summary>
    public async Task StartTlsAsyncAfterReply()
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: true, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        });
        _stream = ssl;
        _pending.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var lf = _pending.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString(_pending.GetRange(0, lf).ToArray()).TrimEnd('\r');
                _pending.RemoveRange(0, lf + 1);
                return line;
            }

            var read = await _stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return null;
            }

            _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }
}

/// <summary>A self-signed server certificate for the tests' TLS.</summary>
public static class TestCertificate
{
    private static readonly Lazy<X509Certificate2> Instance = new(() =>
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    });

    public static X509Certificate2 Certificate => Instance.Value;
}

using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Encimap.Smtp;

/// <summary>
/// A small SMTP client for relaying to a smarthost: EHLO (HELO as fallback), STARTTLS, AUTH PLAIN,
/// MAIL/RCPT/DATA with dot-stuffing. One connection, one command at a time (no pipelining).
/// </summary>
public sealed class SmtpClientConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private readonly TimeSpan _timeout;
    private Stream _stream;
    private PipeReader _reader;
    private HashSet<string> _extensions = new(StringComparer.OrdinalIgnoreCase);

    private SmtpClientConnection(Socket socket, TimeSpan timeout)
    {
        _socket = socket;
        _network = new NetworkStream(socket, ownsSocket: true);
        _stream = _network;
        _timeout = timeout;
        _reader = PipeReader.Create(_network, new StreamPipeReaderOptions(leaveOpen: true));
    }

    public SmtpReply Greeting { get; private set; } = null!;

    /// <summary>EHLO keywords with their parameters ("SIZE 1000", "AUTH PLAIN LOGIN").</summary>
    public IReadOnlyCollection<string> Extensions => _extensions;

    public bool IsTls => _stream is SslStream;

    public static async Task<SmtpClientConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connect.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(host, port, connect.Token).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new SmtpClientConnection(socket, timeout);
        try
        {
            client.Greeting = await client.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (client.Greeting.Code != 220)
            {
                throw new SmtpClientException(client.Greeting, "CONNECT");
            }

            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public bool Supports(string keyword) => _extensions.Any(e => e.Equals(keyword, StringComparison.OrdinalIgnoreCase) || e.StartsWith(keyword + " ", StringComparison.OrdinalIgnoreCase));

    public async Task<SmtpReply> HelloAsync(string name, CancellationToken cancellationToken)
    {
        var reply = await CommandAsync($"EHLO {name}", cancellationToken).ConfigureAwait(false);
        if (reply.Code == 250)
        {
            _extensions = new HashSet<string>(reply.Lines.Skip(1), StringComparer.OrdinalIgnoreCase);
            return reply;
        }

        reply = await CommandAsync($"HELO {name}", cancellationToken).ConfigureAwait(false);
        _extensions.Clear();
        return reply.Code == 250 ? reply : throw new SmtpClientException(reply, "EHLO");
    }

    /// <summary>STARTTLS and the handshake; the caller says EHLO again afterwards.</summary>
    public async Task StartTlsAsync(string targetHost, RemoteCertificateValidationCallback? validation, CancellationToken cancellationToken)
    {
        var reply = await CommandAsync("STARTTLS", cancellationToken).ConfigureAwait(false);
        if (reply.Code != 220)
        {
            throw new SmtpClientException(reply, "STARTTLS");
        }

        await _reader.CompleteAsync().ConfigureAwait(false);
        var ssl = new SslStream(_network, leaveInnerStreamOpen: true);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handshake.CancelAfter(_timeout);
        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = validation,
            },
            handshake.Token).ConfigureAwait(false);
        _stream = ssl;
        _reader = PipeReader.Create(ssl, new StreamPipeReaderOptions(leaveOpen: true));
        _extensions.Clear();
    }

    public async Task AuthenticatePlainAsync(string userName, string password, CancellationToken cancellationToken)
    {
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{userName}\0{password}"));
        var reply = await CommandAsync($"AUTH PLAIN {token}", cancellationToken).ConfigureAwait(false);
        if (reply.Code != 235)
        {
            throw new SmtpClientException(reply, "AUTH");
        }
    }

    /// <summary>MAIL FROM with SIZE, BODY=8BITMIME and SMTPUTF8 where the server offers them and the message needs them.</summary>
    public async Task<SmtpReply> MailAsync(string reversePath, long size, bool eightBit, bool smtpUtf8, CancellationToken cancellationToken)
    {
        var command = new StringBuilder($"MAIL FROM:<{reversePath}>");
        if (Supports("SIZE"))
        {
            command.Append(CultureInfo.InvariantCulture, $" SIZE={size}");
        }

        if (eightBit && Supports("8BITMIME"))
        {
            command.Append(" BODY=8BITMIME");
        }

        if (smtpUtf8 && Supports("SMTPUTF8"))
        {
            command.Append(" SMTPUTF8");
        }

        return await CommandAsync(command.ToString(), cancellationToken).ConfigureAwait(false);
    }

    public Task<SmtpReply> RecipientAsync(string forwardPath, CancellationToken cancellationToken) =>
        CommandAsync($"RCPT TO:<{forwardPath}>", cancellationToken);

    /// <summary>DATA, the dot-stuffed message, and the server's final reply.</summary>
    public async Task<SmtpReply> DataAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var reply = await CommandAsync("DATA", cancellationToken).ConfigureAwait(false);
        if (reply.Code != 354)
        {
            return reply;
        }

        var encoded = new ArrayBufferWriter<byte>(message.Length + message.Length / 50 + 16);
        SmtpDotStuffing.Encode(message.Span, encoded);
        using (var write = Timeout(cancellationToken))
        {
            await _stream.WriteAsync(encoded.WrittenMemory, write.Token).ConfigureAwait(false);
            await _stream.FlushAsync(write.Token).ConfigureAwait(false);
        }

        return await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<SmtpReply> ResetAsync(CancellationToken cancellationToken) => CommandAsync("RSET", cancellationToken);

    public async Task QuitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CommandAsync("QUIT", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or SmtpClientException or OperationCanceledException)
        {
            // Nothing depends on the answer to QUIT.
        }
    }

    /// <summary>Sends one command line and reads its reply.</summary>
    public async Task<SmtpReply> CommandAsync(string command, CancellationToken cancellationToken)
    {
        using (var write = Timeout(cancellationToken))
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"), write.Token).ConfigureAwait(false);
            await _stream.FlushAsync(write.Token).ConfigureAwait(false);
        }

        return await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        await _network.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Reads a (multi-line) reply: "250-…" lines up to the "250 …" one.</summary>
    private async Task<SmtpReply> ReadReplyAsync(CancellationToken cancellationToken)
    {
        using var timeout = Timeout(cancellationToken);
        var lines = new List<string>();
        var code = 0;
        string? enhanced = null;
        while (true)
        {
            var result = await _reader.ReadAsync(timeout.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            var lf = buffer.PositionOf((byte)'\n');
            if (lf is null)
            {
                if (result.IsCompleted || buffer.Length > 4096)
                {
                    throw new IOException("The SMTP server closed the connection or sent no reply line.");
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            var lineBytes = buffer.Slice(0, lf.Value);
            var line = Encoding.UTF8.GetString(lineBytes).TrimEnd('\r');
            _reader.AdvanceTo(buffer.GetPosition(1, lf.Value));
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var lineCode) || lineCode is < 200 or > 599)
            {
                throw new IOException($"Not an SMTP reply: {line[..Math.Min(line.Length, 80)]}");
            }

            code = lineCode;
            var text = line.Length > 4 ? line[4..] : "";
            var firstSpace = text.IndexOf(' ');
            var candidate = firstSpace < 0 ? text : text[..firstSpace];
            if (lines.Count == 0 && IsEnhancedCode(candidate, code))
            {
                enhanced = candidate;
            }

            if (enhanced is not null && text.StartsWith(enhanced, StringComparison.Ordinal))
            {
                text = text[enhanced.Length..].TrimStart(' ');
            }

            lines.Add(text);
            if (line.Length == 3 || line[3] == ' ')
            {
                return new SmtpReply(code, enhanced, [.. lines]);
            }
        }
    }

    private static bool IsEnhancedCode(string text, int code)
    {
        var parts = text.Split('.');
        return parts.Length == 3 && parts[0] == (code / 100).ToString(CultureInfo.InvariantCulture)
            && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
    }

    private CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(_timeout);
        return source;
    }
}

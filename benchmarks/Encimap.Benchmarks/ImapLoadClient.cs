using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Encimap.Benchmarks;

/// <summary>
/// One IMAP connection of the load benchmark: sends a command, reads the response up to its
/// tagged line (literals skipped by their announced length) and answers that line.
/// </summary>
public sealed class ImapLoadClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _ssl;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private int _tag;

    private ImapLoadClient(TcpClient tcp, SslStream ssl)
    {
        _tcp = tcp;
        _ssl = ssl;
    }

    public static async Task<ImapLoadClient> LoginAsync(int port, string user, string password)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("localhost");
        var client = new ImapLoadClient(tcp, ssl);
        await client.ReadLineAsync();
        var login = await client.CommandAsync($"LOGIN {user} \"{password}\"");
        if (!login.StartsWith("OK", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"LOGIN: {login}");
        }

        return client;
    }

    /// <summary>Sends a command (with a message as a LITERAL+ literal, RFC 7888); returns the tagged status text, e.g. <c>OK [APPENDUID 1 7] ...</c>.</summary>
    public async Task<string> CommandAsync(string command, string? literal = null)
    {
        var tag = $"l{++_tag}";
        var text = literal is null ? $"{tag} {command}\r\n" : $"{tag} {command} {{{Encoding.UTF8.GetByteCount(literal)}+}}\r\n{literal}\r\n";
        await _ssl.WriteAsync(Encoding.UTF8.GetBytes(text));
        var prefix = tag + " ";
        while (true)
        {
            var line = await ReadLineAsync();
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..];
            }
        }
    }

    /// <summary>One response line; a literal in it is skipped and the line goes on after it.</summary>
    private async Task<string> ReadLineAsync()
    {
        var line = new StringBuilder();
        while (true)
        {
            var part = await ReadRawLineAsync();
            line.Append(part);
            var open = part.LastIndexOf('{');
            if (!part.EndsWith('}') || open < 0 || !int.TryParse(part.AsSpan(open + 1, part.Length - open - 2).TrimEnd('+'), out var length))
            {
                return line.ToString();
            }

            await SkipAsync(length);
        }
    }

    private async Task<string> ReadRawLineAsync()
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end)
            {
                await FillAsync();
            }

            var span = _buffer.AsSpan(_start, _end - _start);
            var newline = span.IndexOf((byte)'\n');
            if (newline < 0)
            {
                line.AddRange(span.ToArray());
                _start = _end;
                continue;
            }

            line.AddRange(span[..newline].ToArray());
            _start += newline + 1;
            if (line.Count > 0 && line[^1] == '\r')
            {
                line.RemoveAt(line.Count - 1);
            }

            return Encoding.UTF8.GetString(line.ToArray());
        }
    }

    private async Task SkipAsync(int length)
    {
        while (length > 0)
        {
            if (_start == _end)
            {
                await FillAsync();
            }

            var n = Math.Min(length, _end - _start);
            _start += n;
            length -= n;
        }
    }

    private async Task FillAsync()
    {
        _start = 0;
        _end = await _ssl.ReadAsync(_buffer);
        if (_end == 0)
        {
            throw new EndOfStreamException("the server closed the connection");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _ssl.DisposeAsync();
        _tcp.Dispose();
    }
}
